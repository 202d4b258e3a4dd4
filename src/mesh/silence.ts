/**
 * Maintenance silences: a silenced node is still checked but sends no alerts and is never
 * recovered automatically. The key expires by itself, so a forgotten silence ends on time.
 */
import type { Redis } from 'ioredis';

export interface Silence {
  until: string;
  reason: string;
}

export function silenceKey(prefix: string, nodeId: string): string {
  return `${prefix}:silence:${nodeId}`;
}

export async function silenceNode(
  redis: Redis,
  prefix: string,
  nodeId: string,
  forMs: number,
  reason: string,
  now: number,
): Promise<Silence> {
  // Callers check the length against `alerts.maxSilence` first (`mesh/input.ts`); Redis refuses a
  // PX of 0 and a date past year 275760 cannot be written, so neither may get this far.
  if (!Number.isSafeInteger(forMs) || forMs < 1 || !Number.isFinite(new Date(now + forMs).getTime())) {
    throw new RangeError(`silence of ${forMs} ms: not a length of time`);
  }
  const silence: Silence = { until: new Date(now + forMs).toISOString(), reason };
  await redis.set(silenceKey(prefix, nodeId), JSON.stringify(silence), 'PX', forMs);
  return silence;
}

/** Whether a silence was there to remove. */
export async function unsilenceNode(redis: Redis, prefix: string, nodeId: string): Promise<boolean> {
  return (await redis.del(silenceKey(prefix, nodeId))) === 1;
}

export async function readSilence(redis: Redis, prefix: string, nodeId: string): Promise<Silence | null> {
  const json = await redis.get(silenceKey(prefix, nodeId));
  return json === null ? null : (JSON.parse(json) as Silence);
}

/** Which of these nodes are silenced now, in one round trip. */
export async function silencedNodes(
  redis: Redis,
  prefix: string,
  nodeIds: readonly string[],
): Promise<Set<string>> {
  if (nodeIds.length === 0) return new Set();
  const values = await redis.mget(...nodeIds.map((id) => silenceKey(prefix, id)));
  return new Set(nodeIds.filter((_, index) => values[index] !== null));
}

/**
 * The silenced ones of these nodes, each with when its silence ends (epoch ms; NaN for a value
 * not written by `silenceNode`), in one round trip.
 */
export async function silenceEnds(
  redis: Redis,
  prefix: string,
  nodeIds: readonly string[],
): Promise<Map<string, number>> {
  if (nodeIds.length === 0) return new Map();
  const values = await redis.mget(...nodeIds.map((id) => silenceKey(prefix, id)));
  const ends = new Map<string, number>();
  values.forEach((value, index) => {
    if (value !== null) ends.set(nodeIds[index] as string, untilOf(value));
  });
  return ends;
}

function untilOf(json: string): number {
  try {
    return Date.parse((JSON.parse(json) as Partial<Silence>).until ?? '');
  } catch {
    return Number.NaN;
  }
}
