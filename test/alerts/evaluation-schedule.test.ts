import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../src/alerts/history.js';
import type { Alert } from '../../src/alerts/types.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { NodeStore } from '../../src/mesh/store.js';
import { startTestMesh, type TestMesh } from '../helpers/mesh.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The time-based rules run when something they read changed and when one of them comes due, not
 * on a timer: at this check interval (400 ms) the evaluation used to run every 100 ms.
 */
describe('the alert evaluation', () => {
  let mesh: TestMesh;
  let redis: Redis;

  beforeAll(async () => {
    mesh = await startTestMesh({
      nodes: 2,
      checks: '  interval: 400ms\n  retryInterval: 100ms\n  timeout: 300ms',
      // The keepalive interval is the evaluations' safety net: none in these tests.
      extraYaml:
        'alerts: { criticalAfter: 1500ms, repeatEvery: 1500ms }\nkeepalive: { watch: false, interval: 1h }',
      roles: ['scheduler', 'worker'],
    });
    redis = connectTestRedis();
  });

  afterAll(async () => {
    redis.disconnect();
    await mesh.stop();
  });

  /** Evaluations completed since stream id `from`, read from the `alerts` queue's event stream. */
  async function evaluationsSince(from: string): Promise<number> {
    const entries = await redis.xrange(`${mesh.prefix}:alerts:events`, `(${from}`, '+');
    return entries.filter(([, fields]) => {
      const event = Object.fromEntries(
        fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : [])),
      );
      return event.event === 'completed' && String(event.jobId).startsWith('evaluate-');
    }).length;
  }

  it('does not run while the mesh is quiet', async () => {
    const store = new NodeStore(redis, mesh.prefix);
    await waitFor(
      async () => (await store.readMany(['sim-1', 'sim-2'])).every((s) => s.state.status === 'healthy'),
      'both nodes healthy',
    );
    // Let the evaluations asked for by the first checks' changes run; only the safety net's,
    // an hour away at most, stays.
    const queue = new Queue(QUEUE_NAMES.alerts, { connection: redis, prefix: mesh.prefix });
    const soon = async () => {
      const jobs = await queue.getJobs(['waiting', 'active', 'delayed']);
      return jobs.filter((job) => job && job.timestamp + (job.delay ?? 0) < Date.now() + 5000).length;
    };
    // Twice, 200 ms apart: a job moving between lists while they are read is not missed.
    const settled = async () =>
      (await soon()) === 0 &&
      (await new Promise((r) => setTimeout(r, 200))) === undefined &&
      (await soon()) === 0;
    await waitFor(settled, 'no evaluation due within the next 5 s');
    await queue.close();
    const [[last] = ['0-0']] = await redis.xrevrange(`${mesh.prefix}:alerts:events`, '+', '-', 'COUNT', 1);
    // Measuring quiet takes a wait: 2 s is 20 steps of the old timer.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await evaluationsSince(last)).toBe(0);
  });

  it('raises down_too_long at criticalAfter and its repeats every repeatEvery with no change in between', async () => {
    const history = new AlertHistory(redis, mesh.prefix);
    await mesh.simulator.setMode('sim-1', 'dead');
    /** Sim-1's alerts of `kind`, once there are `count` of them. */
    const ofSim1 = async (kind: string, count: number): Promise<Alert[] | null> => {
      const alerts = await history.list(60_000);
      const found = alerts.filter((alert) => alert.nodeId === 'sim-1' && alert.kind === kind);
      return found.length >= count ? found : null;
    };
    const [unhealthy] = await waitFor(() => ofSim1('unhealthy', 1), 'unhealthy');
    const repeats = await waitFor(
      () => ofSim1('down_too_long', 2),
      'down_too_long and its first repeat',
      10_000,
    );
    const incident = unhealthy?.incidentId;
    expect(repeats.map((alert) => alert.id).sort()).toEqual([
      `${incident}:down_too_long`,
      `${incident}:down_too_long:1`,
    ]);
    const due = Date.parse(repeats.find((alert) => alert.id.endsWith(':1'))?.at ?? '');
    expect(due - Date.parse(unhealthy?.at ?? '')).toBeGreaterThanOrEqual(3000 - 400);
  });
});
