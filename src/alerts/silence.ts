/**
 * Silences as alerting reads them: a silenced node is still checked, but its alerts go to the
 * log only (docs/alerts.md: silenced nodes send nothing). A silence is the Redis key
 * `<prefix>:silence:<node id>` holding JSON `{until, reason}` with a PX expiry at `until`; the key
 * existing is what "silenced" means, so a silence ends by itself. It is written by
 * `gpu-mesh silence` / `unsilence` and the API through `src/mesh/silence.ts`.
 */
import type { Redis } from 'ioredis';
import { silenceEnds, silenceKey } from '../mesh/silence.js';

export { type Silence, silenceKey } from '../mesh/silence.js';

/** Whether a node is silenced now. */
export async function isSilenced(redis: Redis, prefix: string, nodeId: string): Promise<boolean> {
  return (await redis.exists(silenceKey(prefix, nodeId))) === 1;
}

/** Silences bound to one connection and prefix: `isSilenced(nodeId)`, and many at once. */
export interface SilenceReader {
  isSilenced(nodeId: string): Promise<boolean>;
  /** The silenced ones of these nodes, each with when its silence ends (epoch ms). */
  silenceEnds(nodeIds: readonly string[]): Promise<Map<string, number>>;
}

export function silenceReader(redis: Redis, prefix: string): SilenceReader {
  return {
    isSilenced: (nodeId) => isSilenced(redis, prefix, nodeId),
    silenceEnds: (nodeIds) => silenceEnds(redis, prefix, nodeIds),
  };
}
