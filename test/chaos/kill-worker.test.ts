import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStore } from '../../src/mesh/store.js';
import { startSimulator } from '../../src/simulator/index.js';
import { startCli, writeTempConfig } from '../helpers/cli.js';
import { dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { chaosYaml } from './support.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('chaos: a worker killed during a check', () => {
  it('loses nothing: the batch it held is finished by another worker', async () => {
    const simulator = await startSimulator({ count: 1 });
    cleanups.push(() => simulator.close());
    const prefix = uniquePrefix();
    const config = writeTempConfig(
      chaosYaml(testRedisUrl(), prefix, simulator, [
        'checks: { interval: 1h, timeout: 30s }',
        'keepalive: { watch: false }',
      ]),
    );
    // The node answers after 4 s: the check is in flight long enough to kill its worker.
    await simulator.setMode('sim-1', 'slow', { delayMs: 4000 });
    const workers = [0, 1].map(() => startCli(['start', '--role', 'worker', '--config', config]));
    const scheduler = startCli(['start', '--role', 'scheduler', '--config', config]);
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('health-check', { connection: redis, prefix });
    cleanups.push(async () => {
      for (const p of [...workers, scheduler]) p.child.kill('SIGKILL');
      await queue.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    });

    const [held] = await waitFor(
      async () => {
        const active = await queue.getJobs(['active']);
        return active.length && active[0]?.processedBy ? active : null;
      },
      'a batch in flight',
      15_000,
    );
    const holder = workers.find((w) => held?.processedBy?.endsWith(`:${w.child.pid}`));
    expect(holder).toBeDefined();
    holder?.child.kill('SIGKILL');

    const finished = await waitFor(
      async () => {
        const job = await queue.getJob(held?.id ?? '');
        return job?.finishedOn ? job : null;
      },
      'the batch to finish elsewhere',
      45_000,
    );
    expect(finished.failedReason).toBeFalsy();
    expect(finished.processedBy).not.toBe(held?.processedBy);
    const { state } = await new NodeStore(redis, prefix).read('sim-1');
    expect(state.checks).toBeGreaterThanOrEqual(1);
    expect(state.status).toBe('healthy');
  });
});
