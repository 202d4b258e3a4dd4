import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awaitJob } from '../../src/runtime/await-job.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('awaitJob', () => {
  let redis: Redis;
  let prefix: string;
  let queue: Queue;
  let worker: Worker | null;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    queue = new Queue('awaited', { connection: redis, prefix });
    worker = null;
  });

  afterEach(async () => {
    await worker?.close();
    await queue.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  const work = (processor: (job: Job) => Promise<unknown>) => {
    worker = new Worker('awaited', processor, { connection: redis, prefix });
  };

  it("returns a finished job's value, or its failure reason", async () => {
    work(async (job) => {
      if (job.data.fail) throw new Error('CUDA error: out of memory');
      return { answer: 42 };
    });
    await queue.add('ok', {}, { jobId: 'ok-1' });
    await queue.add('bad', { fail: true }, { jobId: 'bad-1' });
    const limits = { pickupMs: 5000, finishMs: 5000 };
    expect(await awaitJob(queue, 'ok-1', limits)).toEqual({ kind: 'completed', value: { answer: 42 } });
    expect(await awaitJob(queue, 'bad-1', limits)).toEqual({
      kind: 'failed',
      reason: 'CUDA error: out of memory',
    });
  });

  it('withdraws a job no worker took within the pickup time', async () => {
    await queue.add('lonely', {}, { jobId: 'lonely-1' });
    const started = performance.now();
    const outcome = await awaitJob(queue, 'lonely-1', { pickupMs: 200, finishMs: 5000 }, { pollMs: 20 });
    expect(outcome).toEqual({ kind: 'not_picked_up' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await queue.getJob('lonely-1')).toBeUndefined();
  });

  it('counts the limits from `since`, not from the call', async () => {
    await queue.add('late', {}, { jobId: 'late-1' });
    const outcome = await awaitJob(
      queue,
      'late-1',
      { pickupMs: 60_000, finishMs: 0 },
      { since: Date.now() - 60_000 },
    );
    expect(outcome).toEqual({ kind: 'not_picked_up' });
  });

  it('reports a job taken but not finished in time, and leaves it running', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    work(() => held);
    await queue.add('slow', {}, { jobId: 'slow-1' });
    await waitFor(async () => (await queue.getJobState('slow-1')) === 'active', 'the job to be taken');
    const started = performance.now();
    const outcome = await awaitJob(queue, 'slow-1', { pickupMs: 0, finishMs: 200 }, { pollMs: 20 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(outcome).toEqual({ kind: 'timed_out' });
    expect(await queue.getJobState('slow-1')).toBe('active');
    release();
  });

  it('says at once when the job is removed before it finishes', async () => {
    await queue.add('gone', {}, { jobId: 'gone-1' });
    const waiting = awaitJob(queue, 'gone-1', { pickupMs: 60_000, finishMs: 0 }, { pollMs: 20 });
    await queue.remove('gone-1');
    const started = performance.now();
    expect(await waiting).toEqual({ kind: 'removed' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stops waiting when the signal aborts, mid-pause, and withdraws a job nobody took', async () => {
    await queue.add('aborted', {}, { jobId: 'aborted-1' });
    const started = performance.now();
    const outcome = await awaitJob(
      queue,
      'aborted-1',
      { pickupMs: 60_000, finishMs: 0 },
      { signal: AbortSignal.timeout(100), pollMs: 60_000 },
    );
    expect(outcome).toEqual({ kind: 'aborted' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await queue.getJob('aborted-1')).toBeUndefined();
  });
});
