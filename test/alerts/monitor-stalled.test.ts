import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import type { SweepResult } from '../../src/jobs/sweep.js';
import type { RunningService } from '../../src/main.js';
import { NodeStore } from '../../src/mesh/store.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { meshYaml, startServiceFromYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { alertLogLines, bodies, type HttpReceiver, startHttpReceiver } from './support.js';

/** Checks every 500 ms, judged stalled after 3 intervals (1.5 s); a keepalive sweep every 250 ms. */
const CHECKS = '  interval: 500ms\n  retryInterval: 250ms\n  timeout: 500ms';
const STALE_AFTER_MS = 3 * 500;

const redis = connectTestRedis();
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => redis.disconnect());

/** Alert and delivery jobs not yet done (the evaluation's own repeating job aside). */
async function pendingAlertWork(prefix: string): Promise<number> {
  let pending = 0;
  for (const name of [QUEUE_NAMES.alerts, QUEUE_NAMES.notify]) {
    const queue = new Queue(name, { connection: redis, prefix });
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    await queue.close();
    pending += jobs.filter((job) => job && job.name !== 'evaluate').length;
  }
  return pending;
}

/** A started service, closed by `afterEach` unless the test closed it itself. */
function closedAfter(service: RunningService): { close(): Promise<void> } {
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= service.close();
    return closing;
  };
  cleanups.push(close);
  return { close };
}

describe('monitor_stalled, end to end', () => {
  it('is sent once to the webhook when the only scheduler stops while the workers run on', async () => {
    const prefix = uniquePrefix();
    const receiver: HttpReceiver = await startHttpReceiver();
    cleanups.push(() => receiver.close());
    const simulator: Simulator = await startSimulator({ count: 1 });
    cleanups.push(
      () => simulator.close(),
      () => dropPrefix(redis, prefix),
    );
    const yaml = meshYaml(prefix, simulator, {
      checks: CHECKS,
      extraYaml: [
        'keepalive: { interval: 250ms, staleAfter: 3, watch: false }',
        'alerts:',
        '  channels:',
        `    webhook: { minSeverity: ERROR, url: "${receiver.origin}/hook" }`,
      ].join('\n'),
    });

    // Two processes on one prefix, as a deployment runs them: the workers (checks, alerts, the
    // keepalive sweep) and the scheduler (which hands out the checks).
    const workers = await startServiceFromYaml(yaml, { roles: ['worker'] });
    closedAfter(workers.service);
    // Its sweeps judge stalls once it has run for staleAfter intervals (counted from a bit earlier).
    const workerStartedAt = Date.now();
    const scheduler = closedAfter((await startServiceFromYaml(yaml, { roles: ['scheduler'] })).service);

    const store = new NodeStore(redis, prefix);
    const keepalive = new Queue(QUEUE_NAMES.keepalive, { connection: redis, prefix });
    cleanups.push(() => keepalive.close());
    /** Sweeps finished after `since`, which judge stalls (the worker has run for staleAfter intervals). */
    const sweepsAfter = async (since: number): Promise<SweepResult[]> => {
      const judging = Math.max(since, workerStartedAt + STALE_AFTER_MS);
      const done = await keepalive.getJobs(['completed']);
      return done
        .filter((job) => (job?.finishedOn ?? 0) > judging)
        .map((job) => job.returnvalue as SweepResult);
    };
    const stalledAlerts = () => bodies(receiver.requests).filter((alert) => alert.kind === 'monitor_stalled');

    // While checks happen, sweeps that judge stalls find none, and nothing is sent.
    await waitFor(async () => (await store.read('sim-1')).state.status === 'healthy', 'sim-1 checked');
    const calmFrom = Date.now();
    const calm = await waitFor(async () => {
      const sweeps = await sweepsAfter(calmFrom);
      return sweeps.length >= 4 ? sweeps : null;
    }, 'four sweeps judging a mesh whose checks happen');
    expect(calm.map((sweep) => sweep.stalled)).toEqual([[], [], [], []]);
    expect(stalledAlerts()).toEqual([]);

    // The scheduler goes away: checks stop, the sweeps in the worker process go on.
    await scheduler.close();
    const stoppedAt = Date.now();
    const [alert] = await waitFor(
      () => (stalledAlerts().length > 0 ? stalledAlerts() : null),
      'monitor_stalled at the webhook',
      STALE_AFTER_MS + 8000,
    );
    const receivedAt = Date.now();
    const { lastCheckAt } = (await store.read('sim-1')).state;
    expect(lastCheckAt).not.toBeNull();
    expect(lastCheckAt).toBeLessThanOrEqual(stoppedAt);
    expect(alert).toMatchObject<Partial<Alert>>({
      id: `sim-1:monitor_stalled:${lastCheckAt}`,
      kind: 'monitor_stalled',
      severity: 'ERROR',
      nodeId: 'sim-1',
      incidentId: null,
      title: 'Checks of sim-1 (sim-1) stopped',
    });
    expect(alert?.message).toContain('its checks are not happening');
    expect(Date.parse(alert?.at ?? '') - (lastCheckAt ?? 0)).toBeGreaterThan(STALE_AFTER_MS);
    console.log(
      `monitor_stalled: scheduler stopped -> webhook in ${receivedAt - stoppedAt} ms (stale after ${STALE_AFTER_MS} ms)`,
    );

    // Every later sweep still finds the stall, and it is not sent again.
    await waitFor(async () => {
      const sweeps = await sweepsAfter(receivedAt);
      return sweeps.filter((sweep) => sweep.stalled.includes('sim-1')).length >= 4;
    }, 'four more sweeps finding sim-1 stalled');
    await waitFor(async () => (await pendingAlertWork(prefix)) === 0, 'alerts and deliveries to settle');
    expect(stalledAlerts()).toHaveLength(1);
    const logged = alertLogLines(workers.logs).filter((line) => line.alert.kind === 'monitor_stalled');
    expect(logged.map((line) => line.alert.id)).toEqual([alert?.id]);
  });
});
