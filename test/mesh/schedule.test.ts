import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { CheckSchedule, CLAIM_EXPIRES_MS } from '../../src/jobs/schedules.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';

const INTERVAL = 10_000;
const nodes = Array.from(
  { length: 200 },
  (_, i) => ({ id: `n${i + 1}`, enabled: true, checks: { interval: INTERVAL } }) as NodeConfig,
);

describe('CheckSchedule', () => {
  let redis: Redis;
  const prefix = uniquePrefix();
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('checks a new fleet at once, then spreads its slots over the interval, each node on its own phase', async () => {
    const schedule = new CheckSchedule(redis, prefix);
    const start = 1_800_000_000_000;
    await schedule.upsert(nodes, start);
    // New nodes are all due within the first two seconds...
    const first = await schedule.claim(start + 2000, 1000);
    expect(first).toHaveLength(200);

    // ...and their next slots cover the whole interval rather than keeping that burst.
    const scores = await slots(redis, schedule.dueKey);
    const values = [...scores.values()];
    expect(Math.min(...values)).toBeGreaterThan(start + 2000);
    expect(Math.max(...values)).toBeLessThanOrEqual(start + 2000 + INTERVAL);
    const tenths = new Array(10).fill(0);
    for (const at of values) tenths[Math.floor(((at - start - 2000 - 1) / INTERVAL) * 10)] += 1;
    expect(Math.min(...tenths)).toBeGreaterThanOrEqual(5);

    // One interval on, every node is due once more, exactly one interval after its last slot.
    await schedule.done(first.map((check) => check.nodeId));
    const second = await schedule.claim(start + 2000 + INTERVAL, 1000);
    expect(second).toHaveLength(200);
    for (const { nodeId, plannedAt } of second) expect(plannedAt).toBe(scores.get(nodeId));
    const next = await slots(redis, schedule.dueKey);
    for (const [id, at] of next) expect(at).toBe((scores.get(id) ?? 0) + INTERVAL);
    // Every slot handed out is counted: the benchmark holds the checks made against it.
    expect(Number(await redis.get(schedule.claimedKey))).toBe(400);
  });

  it('skips slots missed while saturated, keeping the phase', async () => {
    const schedule = new CheckSchedule(redis, `${prefix}b`);
    const start = 1_800_000_000_000;
    await schedule.upsert(nodes.slice(0, 1), start);
    await schedule.done((await schedule.claim(start + 2000, 10)).map((check) => check.nodeId));
    const [planned] = [...(await slots(redis, schedule.dueKey)).values()];
    // Claimed three and a half intervals late: one check, and the next slot on the same phase.
    const late = (planned ?? 0) + 3.5 * INTERVAL;
    expect(await schedule.claim(late, 10)).toEqual([{ nodeId: 'n1', plannedAt: planned }]);
    const [next] = [...(await slots(redis, schedule.dueKey)).values()];
    expect(next).toBe((planned ?? 0) + 4 * INTERVAL);
    await dropPrefix(redis, `${prefix}b`);
  });
  it('skips the slots of a node whose last check has not ended, until its claim expires', async () => {
    const schedule = new CheckSchedule(redis, `${prefix}c`);
    const start = 1_800_000_000_000;
    await schedule.upsert(nodes.slice(0, 2), start);
    const first = await schedule.claim(start + 2000, 10);
    expect(first.map((check) => check.nodeId).sort()).toEqual(['n1', 'n2']);
    // n1's check ends; n2's is still running (its batch queued behind a saturated worker).
    await schedule.done(['n1']);
    const next = await schedule.claim(start + 2000 + INTERVAL, 10);
    expect(next.map((check) => check.nodeId)).toEqual(['n1']);
    // Never reported done (its batch was lost): claimed again once the claim expires.
    const later = start + 2000 + CLAIM_EXPIRES_MS + INTERVAL;
    expect((await schedule.claim(later, 10)).map((check) => check.nodeId)).toContain('n2');
    await dropPrefix(redis, `${prefix}c`);
  });
  it('confirms a schedule in place cheaply, and restores or changes one that is not', async () => {
    const schedule = new CheckSchedule(redis, `${prefix}d`);
    const start = 1_800_000_000_000;
    const fleet = nodes.slice(0, 20);
    await schedule.sync(fleet, start);
    const placed = await slots(redis, schedule.dueKey);
    expect(placed.size).toBe(20);
    // Nothing lost: the slots stay as they are.
    await schedule.sync(fleet, start + 5000);
    expect(await slots(redis, schedule.dueKey)).toEqual(placed);
    // One slot lost: put back.
    await redis.zrem(schedule.dueKey, 'n7');
    await schedule.sync(fleet, start + 6000);
    expect((await slots(redis, schedule.dueKey)).has('n7')).toBe(true);
    // An interval changed in the config: the new one is taken.
    const changed = fleet.map((node) =>
      node.id === 'n3'
        ? ({ ...node, checks: { ...node.checks, interval: 2 * INTERVAL } } as NodeConfig)
        : node,
    );
    await schedule.sync(changed, start + 7000);
    expect(await redis.hget(`${prefix}d:every`, 'n3')).toBe(String(2 * INTERVAL));
    await dropPrefix(redis, `${prefix}d`);
  });
});

async function slots(redis: Redis, key: string): Promise<Map<string, number>> {
  const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
  const map = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) map.set(flat[i] as string, Number(flat[i + 1]));
  return map;
}
