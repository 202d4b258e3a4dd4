/** Reads the mesh as the JSON shapes of docs/http-api.md: used by `/api/mesh`, `/api/nodes/:id` and `gpu-mesh status`. */
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { type GatewayLoad, readGatewayLoad } from './gateway-load.js';
import { meshNodes, type NodeInfo } from './registry.js';
import { silencedNodes } from './silence.js';
import type { CheckRecord, NodeState } from './state.js';
import { NodeStore } from './store.js';
import type { UptimeBucket } from './uptime.js';
import { type MeshView, meshView, type NodeView, nodeView, type WatchState } from './view.js';
import { readWatchStates } from './watch-states.js';

export interface ReadContext {
  store: NodeStore;
  nodes: readonly NodeInfo[];
  /** Silenced nodes; none when omitted. */
  silenced?: ReadonlySet<string>;
  /** Keep-alive watch states as scheduler processes reported them; `off` when omitted. */
  watch?: ReadonlyMap<string, WatchState>;
  /** What running gateway processes report of each node; nodes carry `gateway` only when present. */
  gateway?: ReadonlyMap<string, GatewayLoad>;
  retainMs: number;
  now: number;
}

/** The nodes the mesh checks (as published by its scheduler) and which of them are silenced. */
export async function readContext(redis: Redis, config: MeshConfig, now: number): Promise<ReadContext> {
  const { prefix } = config.redis;
  const nodes = await meshNodes(redis, prefix, config.nodes);
  const ids = nodes.map((node) => node.id);
  const [silenced, watch, gateway] = await Promise.all([
    silencedNodes(redis, prefix, ids),
    readWatchStates(redis, prefix, ids),
    readGatewayLoad(redis, prefix, now),
  ]);
  return {
    store: new NodeStore(redis, prefix),
    nodes,
    silenced,
    watch,
    gateway,
    retainMs: config.stats.retain,
    now,
  };
}

export type CheckRecordView = Omit<CheckRecord, 'at'> & { at: string };

export async function readMesh(context: ReadContext): Promise<MeshView> {
  const states = await context.store.readWithUptime(context.nodes.map((node) => node.id));
  const views = context.nodes.map((node, index) => view(node, states[index], context));
  return meshView(views, new Set(context.nodes.filter((node) => node.enabled).map((node) => node.id)));
}

export async function readNode(
  context: ReadContext,
  node: NodeInfo,
): Promise<NodeView & { history: CheckRecordView[] }> {
  const [[read], history] = await Promise.all([
    context.store.readWithUptime([node.id]),
    context.store.history(node.id),
  ]);
  return {
    ...view(node, read, context),
    history: history.map((record) => ({ ...record, at: new Date(record.at).toISOString() })),
  };
}

/** A Node as SPEC shows it; `gateway` only while some gateway process reports the node. */
export type NodeWithLoad = NodeView & { gateway?: GatewayLoad };

function view(
  node: NodeInfo,
  read: { stored: { state: NodeState }; uptime: readonly UptimeBucket[] } | undefined,
  context: ReadContext,
): NodeWithLoad {
  if (!read) throw new Error(`no state read for node ${node.id}`);
  const shown = nodeView(node, read.stored.state, {
    uptime: read.uptime,
    now: context.now,
    retainMs: context.retainMs,
    silenced: context.silenced?.has(node.id) ?? false,
    watch: context.watch?.get(node.id) ?? 'off',
  });
  const gateway = context.gateway?.get(node.id);
  return gateway === undefined ? shown : { ...shown, gateway };
}
