/** Reads the mesh as SPEC's JSON shapes: used by `/api/mesh`, `/api/nodes/:id` and `gpu-mesh status`. */

import type { NodeInfo } from './registry.js';
import type { CheckRecord, NodeState } from './state.js';
import type { NodeStore } from './store.js';
import { type MeshView, meshView, type NodeView, nodeView } from './view.js';

export interface ReadContext {
  store: NodeStore;
  nodes: readonly NodeInfo[];
  retainMs: number;
  now: number;
}

export type CheckRecordView = Omit<CheckRecord, 'at'> & { at: string };

export async function readMesh(context: ReadContext): Promise<MeshView> {
  const states = await context.store.readMany(context.nodes.map((node) => node.id));
  const views = context.nodes.map((node, index) => view(node, states[index]?.state, context));
  return meshView(views, new Set(context.nodes.filter((node) => node.enabled).map((node) => node.id)));
}

export async function readNode(
  context: ReadContext,
  node: NodeInfo,
): Promise<NodeView & { history: CheckRecordView[] }> {
  const [{ state }, history] = await Promise.all([
    context.store.read(node.id),
    context.store.history(node.id),
  ]);
  return {
    ...view(node, state, context),
    history: history.map((record) => ({ ...record, at: new Date(record.at).toISOString() })),
  };
}

function view(node: NodeInfo, state: NodeState | undefined, context: ReadContext): NodeView {
  if (!state) throw new Error(`no state read for node ${node.id}`);
  return nodeView(node, state, {
    now: context.now,
    retainMs: context.retainMs,
    silenced: false,
    watch: 'off',
  });
}
