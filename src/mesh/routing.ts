/**
 * What the inference gateway routes by, pushed on `<prefix>:routing` whenever it changes: a
 * node's status and the models it has installed and loaded. The store publishes it in the same
 * script that writes the state, so a gateway following the channel sees each change once, within
 * a round trip of the check that made it, and never reads Redis on a request's path. Pure.
 */
import type { NodeState } from './state.js';
import type { NodeStatus } from './types.js';

export interface NodeRouting {
  id: string;
  /** The state's version: a follower ignores a message older than what it has read. */
  v: number;
  status: NodeStatus;
  installed: string[];
  loaded: { name: string; sizeVram: number }[];
  latencyMs: number | null;
  /** The Ollama version the node reported. */
  ollama: string | null;
}

export function routingChannel(prefix: string): string {
  return `${prefix}:routing`;
}

export function routingOf(id: string, version: number, state: NodeState): NodeRouting {
  return {
    id,
    v: version,
    status: state.status,
    installed: state.installedModels,
    loaded: state.loadedModels,
    latencyMs: state.latencyMs,
    ollama: state.version,
  };
}

/** Whether `next` routes differently from `prev` (latency alone does not count). */
export function routingChanged(prev: NodeState, next: NodeState): boolean {
  if (prev.status !== next.status) return true;
  if (!sameList(prev.installedModels, next.installedModels)) return true;
  const before = prev.loadedModels;
  const after = next.loadedModels;
  if (before.length !== after.length) return true;
  for (let i = 0; i < before.length; i++) if (before[i]?.name !== after[i]?.name) return true;
  return false;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
