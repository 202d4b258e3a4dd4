import { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { closeWorker } from '../../src/workers/close.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('closeWorker', () => {
  it('gives up on a job that outlives the grace, saying so, instead of waiting for it', async () => {
    const prefix = uniquePrefix();
    const redis = connectTestRedis();
    const queue = new Queue('slow', { connection: redis, prefix });
    let finish = () => {};
    const jobDone = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let started = false;
    const worker = new Worker(
      'slow',
      async () => {
        started = true;
        await jobDone;
      },
      { connection: redis, prefix },
    );
    worker.on('error', () => {});
    cleanups.push(
      () => redis.quit(),
      () => dropPrefix(redis, prefix),
      () => queue.close(),
      () => worker.close(),
      () => finish(),
    );
    await queue.add('sleep', {});
    await waitFor(() => started, 'the job to start');

    const at = Date.now();
    await expect(closeWorker(worker, pino({ level: 'silent' }), 300)).rejects.toThrow(
      /slow worker still closing after 300 ms .*left to their locks/,
    );
    expect(Date.now() - at).toBeLessThan(2000);
  });

  it('closes a worker with nothing running, well within the grace', async () => {
    const prefix = uniquePrefix();
    const redis = connectTestRedis();
    const worker = new Worker('idle', async () => {}, { connection: redis, prefix });
    worker.on('error', () => {});
    cleanups.push(() => redis.quit());
    await worker.waitUntilReady();
    await expect(closeWorker(worker, pino({ level: 'silent' }), 5000)).resolves.toBeUndefined();
  });
});
