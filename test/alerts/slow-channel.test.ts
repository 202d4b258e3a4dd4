/**
 * SPEC guarantee 8, within one process: deliveries that hang (an SMTP server trickling its EHLO
 * reply) hold only their own channel's share of the notify worker; the other channels' alerts
 * and the heartbeat go out meanwhile, and a postponed delivery uses none of its tries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { NodeStore } from '../../src/mesh/store.js';
import { syncAlertSchedules } from '../../src/workers/alerting.js';
import { waitFor } from '../helpers/wait.js';
import { makeAlert, startTricklingSmtp } from './helpers.js';
import { type AlertingOnly, bodies, startAlertingOnly, startHttpReceiver, TEST_TUNING } from './support.js';

const cleanups: Array<() => Promise<unknown>> = [];
let t: AlertingOnly | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HEARTBEAT_MS = 200;

function critical(n: number, at: number): Alert {
  return makeAlert({
    id: `gpu-1:${at}:down_too_long:${n}`,
    at: new Date(at).toISOString(),
    severity: 'CRITICAL',
    kind: 'down_too_long',
    nodeId: 'gpu-1',
    incidentId: `gpu-1:${at - n}`,
    title: `GPU one (gpu-1) has been down for a while (${n})`,
  });
}

describe('a slow channel', () => {
  it("holds only its share of the notify worker: other channels' alerts and the heartbeat go out", async () => {
    const smtp = await startTricklingSmtp();
    const [slack, webhook, heartbeat] = await Promise.all([
      startHttpReceiver(),
      startHttpReceiver(),
      startHttpReceiver(),
    ]);
    cleanups.push(
      () => smtp.close(),
      () => slack.close(),
      () => webhook.close(),
      () => heartbeat.close(),
    );
    t = await startAlertingOnly(
      [
        `heartbeat: { url: "${heartbeat.origin}/ping", interval: ${HEARTBEAT_MS}ms }`,
        'alerts:',
        '  channels:',
        `    email: { minSeverity: WARNING, smtp: "smtp://127.0.0.1:${smtp.port}", from: "a@x.test", to: ["b@x.test"], timeout: 60s }`,
        `    slack: { minSeverity: CRITICAL, webhookUrl: "${slack.origin}/services/T0/B0/x" }`,
        `    webhook: { minSeverity: ERROR, url: "${webhook.origin}/hook" }`,
      ].join('\n'),
      TEST_TUNING,
    );
    // The heartbeat pings while the mesh is checking: gpu-1 was checked just now.
    await new NodeStore(t.redis, t.prefix).update('gpu-1', (state) => ({
      state: { ...state, status: 'healthy', lastCheckAt: Date.now() },
      transitions: [],
      extra: null,
    }));
    await syncAlertSchedules(t.redis, t.prefix, t.config);
    await waitFor(() => heartbeat.requests.length >= 2, 'the heartbeat');

    const T0 = Date.now();
    const stuck = Array.from({ length: 24 }, (_, n) => critical(n, T0));
    await t.alerting.raise(stuck);
    const emailJobs = async () =>
      (await t!.notifyQueue.getJobs(['active', 'waiting', 'delayed'])).filter(
        (job) => job?.data.channel === 'email',
      );
    await waitFor(async () => (await emailJobs()).length === 24 && smtp.open() === 5, '24 stuck e-mails');
    const stallStart = Date.now();
    const pingsBefore = heartbeat.requests.length;

    // The other channels get every alert within seconds, while no e-mail gets through.
    await waitFor(
      () => slack.accepted.length === 24 && webhook.accepted.length === 24,
      'Slack and the webhook to get all 24 alerts',
      5000,
    );
    const fresh = makeAlert({ id: `gpu-1:${Date.now()}:unhealthy`, incidentId: `gpu-1:${Date.now()}` });
    const raisedAt = Date.now();
    await t.alerting.raise([fresh]);
    await waitFor(
      () => bodies(webhook.accepted).some((alert) => alert.id === fresh.id),
      'a new ERROR to reach the webhook',
      3000,
    );
    const freshAfter = Date.now() - raisedAt;
    // Long enough for the postponed e-mails to have come back and been postponed again, and for
    // a dozen heartbeats to be due.
    await waitFor(
      async () =>
        Date.now() - stallStart >= 12 * HEARTBEAT_MS &&
        (await emailJobs()).some((job) => (job.attemptsStarted ?? 0) >= 3),
      'an e-mail to be postponed twice',
      10_000,
      100,
    );
    const stallMs = Date.now() - stallStart;
    const pings = heartbeat.requests.length - pingsBefore;
    const jobs = await emailJobs();

    console.log(
      [
        `slow channel (in-process, notify concurrency 16, e-mail places 5): 25 e-mails stuck for ${stallMs} ms`,
        `  SMTP connections held ${smtp.open()} of ${smtp.connections.length} opened`,
        `  a new ERROR reached the webhook after ${freshAfter} ms`,
        `  heartbeat pings during the stall: ${pings} (one per ${HEARTBEAT_MS} ms: ~${Math.floor(stallMs / HEARTBEAT_MS)})`,
        `  e-mail jobs: ${jobs.length}, most starts of one: ${Math.max(...jobs.map((job) => job.attemptsStarted))}`,
      ].join('\n'),
    );

    expect(smtp.connections).toHaveLength(5);
    expect(smtp.open()).toBe(5);
    expect(jobs).toHaveLength(25);
    // Postponed for capacity, not failed: no try used, however often it came back.
    for (const job of jobs) expect(job.attemptsMade).toBe(0);
    expect(pings).toBeGreaterThanOrEqual(Math.floor(stallMs / HEARTBEAT_MS / 2));
  });
});
