/**
 * What the restart-loop guard and the grace period remember, per node, in Redis:
 * automatic recovery starts of the last hour, a pause flag, and the last verified recovery.
 */
import type { Redis } from 'ioredis';
import { isRestartLoop, recoveriesInLastHour } from './guard.js';

const HOUR_MS = 3_600_000;

export class RecoveryBookkeeping {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private startsKey(nodeId: string): string {
    return `${this.prefix}:recovery-starts:${nodeId}`;
  }

  private pausedKey(nodeId: string): string {
    return `${this.prefix}:recovery-paused:${nodeId}`;
  }

  private recoveredKey(nodeId: string): string {
    return `${this.prefix}:recovered-at:${nodeId}`;
  }

  /** What the guard remembers of a node (its lock aside, which a running recovery holds). */
  nodeKeys(nodeId: string): string[] {
    return [this.startsKey(nodeId), this.pausedKey(nodeId), this.recoveredKey(nodeId)];
  }

  lockKey(nodeId: string): string {
    return `${this.prefix}:recovery-lock:${nodeId}`;
  }

  /** Records an automatic start; past `maxPerHour` in an hour, pauses automatic recovery for the hour. */
  async noteAutomaticStart(
    nodeId: string,
    at: number,
    maxPerHour: number,
  ): Promise<{ looping: boolean; count: number }> {
    if (await this.redis.exists(this.pausedKey(nodeId))) {
      return { looping: true, count: Number(await this.redis.zcard(this.startsKey(nodeId))) };
    }
    const key = this.startsKey(nodeId);
    const [, , , range] = (await this.redis
      .multi()
      .zadd(key, at, String(at))
      .zremrangebyscore(key, '-inf', String(at - HOUR_MS))
      .pexpire(key, HOUR_MS)
      .zrange(key, '0', '-1')
      .exec()) as [unknown, unknown, unknown, [Error | null, string[]]];
    const starts = range[1].map(Number);
    const looping = isRestartLoop(starts, at, maxPerHour);
    if (looping) await this.redis.set(this.pausedKey(nodeId), String(at), 'PX', HOUR_MS);
    return { looping, count: recoveriesInLastHour(starts, at) };
  }

  async noteRecovered(nodeId: string, at: number, graceMs: number, manual: boolean): Promise<void> {
    const pipeline = this.redis
      .pipeline()
      .set(this.recoveredKey(nodeId), String(at), 'PX', Math.max(1, graceMs));
    if (manual) pipeline.del(this.pausedKey(nodeId), this.startsKey(nodeId));
    await pipeline.exec();
  }

  /** Within the grace period after a verified recovery. */
  async inGrace(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(this.recoveredKey(nodeId))) === 1;
  }
}
