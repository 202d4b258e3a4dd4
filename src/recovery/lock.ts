/**
 * One recovery per node at a time, across processes. BullMQ deduplication keeps one waiting job
 * per node, but a person's retry (Bull Board, `recover`) bypasses it; this lock does not.
 * SET NX PX to take it, renewed while the work runs; released only by its holder.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

export interface HeldLock {
  release(): Promise<void>;
}

/** Takes the lock, or returns null when someone else holds it. Renewed every ttl/3 until released. */
export async function takeLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  const renewal = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, ttlMs).catch(() => undefined);
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  return {
    async release() {
      clearInterval(renewal);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/** Takes the lock as soon as it is free, or returns null after `waitMs`. */
export async function waitForLock(
  redis: Redis,
  key: string,
  ttlMs: number,
  waitMs: number,
): Promise<HeldLock | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = await takeLock(redis, key, ttlMs);
    if (lock || Date.now() > deadline) return lock;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
