/** The Node and mesh JSON shapes of docs/http-api.md, built from config + stored state. Pure. */
import { safeUrl } from '../values/redaction.js';
import type { NodeInfo } from './registry.js';
import { type NodeState, round1, successRate } from './state.js';
import type { NodeStatus } from './types.js';
import { type UptimeBucket, uptimeScore } from './uptime.js';

export type WatchState = 'connected' | 'reconnecting' | 'off';

export interface NodeView {
  id: string;
  name: string;
  url: string;
  status: NodeStatus;
  silenced: boolean;
  tags: string[];
  consecutiveFailures: number;
  lastCheckAt: string | null;
  lastOkAt: string | null;
  lastError: string | null;
  latencyMs: number | null;
  version: string | null;
  models: number | null;
  loadedModels: { name: string; sizeVram: number }[];
  checks: number;
  successes: number;
  successRate: number | null;
  uptimeScore: number | null;
  incidentId: string | null;
  watch: WatchState;
}

export interface MeshView {
  healthPercent: number;
  healthy: number;
  total: number;
  nodes: NodeView[];
}

export interface ViewContext {
  now: number;
  retainMs: number;
  silenced: boolean;
  watch: WatchState;
  uptime: readonly UptimeBucket[];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function nodeView(node: NodeInfo, state: NodeState, context: ViewContext): NodeView {
  return {
    id: node.id,
    name: node.name,
    // Never a user:password, even from a node list an older version published.
    url: safeUrl(node.url),
    status: state.status,
    silenced: context.silenced,
    tags: node.tags,
    consecutiveFailures: state.consecutiveFailures,
    lastCheckAt: iso(state.lastCheckAt),
    lastOkAt: iso(state.lastOkAt),
    lastError: state.lastError,
    latencyMs: state.latencyMs,
    version: state.version,
    models: state.models,
    loadedModels: state.loadedModels,
    checks: state.checks,
    successes: state.successes,
    successRate: successRate(state),
    uptimeScore: uptimeScore(context.uptime, context.now, context.retainMs),
    incidentId: state.incidentId,
    watch: context.watch,
  };
}

/** Mesh health over enabled nodes; `nodes` lists every configured node in mesh.yaml order. */
export function meshView(nodes: NodeView[], enabledIds: ReadonlySet<string>): MeshView {
  const counted = nodes.filter((node) => enabledIds.has(node.id));
  const healthy = counted.filter((node) => node.status === 'healthy').length;
  const total = counted.length;
  return { healthPercent: total === 0 ? 0 : round1((100 * healthy) / total), healthy, total, nodes };
}
