/** Reads the mesh as SPEC's JSON shapes: used by `/api/mesh`, `/api/nodes/:id` and `gpu-mesh status`. */
import type { MeshConfig, NodeConfig } from '../config/types.js';
import type { CheckRecord } from './state.js';
import type { NodeStore } from './store.js';
import { type MeshView, meshView, type NodeView, nodeView } from './view.js';

export async function readMesh(store: NodeStore, config: MeshConfig, now: number): Promise<MeshView> {
  const states = await store.readMany(config.nodes.map((node) => node.id));
  const views = config.nodes.map((node, index) => view(node, states[index]?.state, config, now));
  return meshView(views, new Set(config.nodes.filter((node) => node.enabled).map((node) => node.id)));
}

export async function readNode(
  store: NodeStore,
  config: MeshConfig,
  node: NodeConfig,
  now: number,
): Promise<NodeView & { history: CheckRecordView[] }> {
  const [{ state }, history] = await Promise.all([store.read(node.id), store.history(node.id)]);
  return {
    ...view(node, state, config, now),
    history: history.map((record) => ({ ...record, at: new Date(record.at).toISOString() })),
  };
}

export type CheckRecordView = Omit<CheckRecord, 'at'> & { at: string };

function view(node: NodeConfig, state: Parameters<typeof nodeView>[1] | undefined, config: MeshConfig, now: number) {
  if (!state) throw new Error(`no state read for node ${node.id}`);
  return nodeView(node, state, { now, retainMs: config.stats.retain, silenced: false, watch: 'off' });
}
