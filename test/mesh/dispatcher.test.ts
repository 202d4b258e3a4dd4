import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { CheckSchedule } from '../../src/jobs/schedules.js';
import { type Dispatcher, startDispatcher } from '../../src/workers/dispatcher.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const node = (id: string, interval: number) => ({ id, enabled: true, checks: { interval } }) as NodeConfig;

/** Batch jobs waiting in the queue, and the nodes they carry. */
async function queuedNodes(queue: Queue): Promise<string[]> {
  const jobs = await queue.getJobs(['waiting']);
  return jobs.flatMap((job) => (job.data as { checks: { nodeId: string }[] }).checks.map((c) => c.nodeId));
}

describe('startDispatcher', () => {
  let redis: Redis;
  let prefix: string;
  let queue: Queue;
  let schedule: CheckSchedule;
  let dispatcher: Dispatcher | null;
  /** Redis calls the dispatcher made through the schedule. */
  let looks: number;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    queue = new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix });
    schedule = new CheckSchedule(redis, prefix);
    looks = 0;
    for (const method of ['nextDueAt', 'claimDue'] as const) {
      const original = schedule[method].bind(schedule) as (...args: never[]) => Promise<unknown>;
      Object.assign(schedule, {
        [method]: (...args: never[]) => {
          looks += 1;
          return original(...args);
        },
      });
    }
    dispatcher = null;
  });

  afterEach(async () => {
    await dispatcher?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  const start = (idleMs: number, more: { batchSize?: number; maxBacklog?: number } = {}) => {
    dispatcher = startDispatcher({
      schedule,
      queue,
      logger: pino({ level: 'silent' }),
      now: Date.now,
      idleMs,
      ...more,
    });
  };

  it('sleeps until the next slot: a quiet schedule costs a look per idleMs, not one per tick', async () => {
    await schedule.upsert([node('n1', 60_000)], Date.now());
    start(1000);
    // The first check of a new node comes within 2 s; its next slot is a minute away.
    await waitFor(async () => (await queuedNodes(queue)).includes('n1'), 'the first check of n1', 5000);
    const before = looks;
    // Measuring idleness takes a wait: 2.5 s, in which a 50 ms tick would have looked 50 times.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(looks - before).toBeLessThanOrEqual(4);
    expect(await queuedNodes(queue)).toEqual(['n1']);
  });

  it('wakes at once when this process changes the schedule, however long it meant to sleep', async () => {
    start(60_000);
    await waitFor(() => looks > 0, 'the first look at an empty schedule', 5000);
    await schedule.upsert([node('n2', 60_000)], Date.now());
    await waitFor(async () => (await queuedNodes(queue)).includes('n2'), 'the first check of n2', 4000);
  });

  it('stops claiming while the queue is backed up, asking it before each claim once it could be', async () => {
    await schedule.upsert(
      Array.from({ length: 6 }, (_, i) => node(`b${i + 1}`, 60_000)),
      Date.now() - 2000,
    );
    start(1000, { batchSize: 1, maxBacklog: 2 });
    await waitFor(async () => (await queue.getWaitingCount()) === 2, 'two batches waiting', 5000);
    // Nobody takes them: no third batch however long it waits (a quarter of a second here).
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await queue.getWaitingCount()).toBe(2);
  });
});
