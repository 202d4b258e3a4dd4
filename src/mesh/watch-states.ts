/**
 * Where scheduler processes report each node's watch state, and how views read it: one hash
 * `<prefix>:watch`, node id -> `connected` | `reconnecting` | `off`. The last report wins.
 */
import type { Redis } from 'ioredis';
import type { WatchState } from './view.js';

export function watchStatesKey(prefix: string): string {
  return `${prefix}:watch`;
}

const STATES: readonly string[] = ['connected', 'reconnecting', 'off'] satisfies WatchState[];

function isWatchState(value: string | null | undefined): value is WatchState {
  return value !== null && value !== undefined && STATES.includes(value);
}

/** The reported states of `nodeIds` in one round trip; a node never reported is `off`. */
export async function readWatchStates(
  redis: Redis,
  prefix: string,
  nodeIds: readonly string[],
): Promise<Map<string, WatchState>> {
  const states = new Map<string, WatchState>();
  if (nodeIds.length === 0) return states;
  const values = await redis.hmget(watchStatesKey(prefix), ...nodeIds);
  nodeIds.forEach((id, index) => {
    const value = values[index];
    states.set(id, isWatchState(value) ? value : 'off');
  });
  return states;
}
