/**
 * Chaos: an alert storm through three `gpu-mesh start` processes on one Redis and prefix.
 *
 * One node flaps, then most of the mesh dies at once and comes back, then one node stays down
 * past `criticalAfter`. At the receivers — a real SMTP server, an HTTP server standing in for
 * Slack and a webhook receiver — each alert must arrive exactly once per channel, whichever of the
 * three processes handled it (SPEC "Guarantees" 1), nothing handed out for delivery may be missing
 * from its channel, and no process may crash. A second case pins down how a short mass failure
 * folds its nodes' own alerts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../src/alerts/history.js';
import { alertJobId } from '../../src/alerts/routing.js';
import type { Alert } from '../../src/alerts/types.js';
import { NodeStore } from '../../src/mesh/store.js';
import { startSimulator } from '../../src/simulator/index.js';
import {
  type Mail,
  type Receivers,
  SMTP_PASSWORD,
  SMTP_USER,
  startHttpReceiver,
  startReceivers,
  WEBHOOK_AUTH,
} from '../alerts/support.js';
import type { CliProcess } from '../helpers/cli.js';
import { writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import {
  alertsDrained,
  type Cleanup,
  chaosYaml,
  openQueue,
  QUEUE_NAMES,
  runCleanups,
  startChaosRedis,
  startMesh,
  tail,
} from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const PREFIX = 'storm';
const NODES = 6;
const FLAPPER = 'sim-1';
/** Four of six die at once: at least ceil(0.5 × 6) = 3, so one `mass_failure`. */
const MASS = ['sim-2', 'sim-3', 'sim-4', 'sim-5'];
/** Down on its own past `criticalAfter`: every per-node kind of an incident, raised in three processes. */
const LONER = 'sim-6';
/**
 * The issue asks for a minute of flapping; 12 s of it (a status change every few hundred ms) is
 * already well past `flapping.changes`, and keeps the case under a minute on a 2-core CI runner.
 */
const FLAP_MS = 12_000;
const FLAP_HALF_PERIOD_MS = 300;

/** One delivered alert as a channel saw it: what identifies it there. */
interface Delivery {
  channel: 'email' | 'slack' | 'webhook';
  /**
   * `kind target incident`: one per alert of an incident (a repeat would come `repeatEvery`, 1 h,
   * later). Alerts outside an incident (`monitor_stalled`) add their time, as their ids do.
   */
  key: string;
}

function deliveryKey(kindAndTarget: string, incident: string | undefined, at: string | undefined): string {
  return incident === undefined ? `${kindAndTarget} - ${at ?? '?'}` : `${kindAndTarget} ${incident}`;
}

/** `[gpu-mesh] SEVERITY kind: target` → `kind target`. */
function subjectKey(subject: string): string {
  const match = /^\[gpu-mesh\] [A-Z]+ ([a-z_]+): (.*)$/.exec(subject.trim());
  if (!match) throw new Error(`unexpected subject: ${subject}`);
  return `${match[1]} ${match[2]}`;
}

function emailDelivery(mail: Mail): Delivery {
  // The plain-text part lists the facts, `Incident: <id>` among them (none for alerts outside one).
  const incident = /^Incident: (\S+)\s*$/m.exec(mail.raw)?.[1];
  const at = /^At: (\S+)\s*$/m.exec(mail.raw)?.[1];
  return { channel: 'email', key: deliveryKey(subjectKey(mail.subject), incident, at) };
}

function slackDelivery(body: string): Delivery {
  const message = JSON.parse(body) as { text: string; blocks: { fields?: { text: string }[] }[] };
  const facts = message.blocks.flatMap((block) => block.fields ?? []).map((field) => field.text);
  const fact = (label: string) =>
    facts.find((text) => text.startsWith(`*${label}*\n`))?.slice(label.length + 3);
  return { channel: 'slack', key: deliveryKey(subjectKey(message.text), fact('Incident'), fact('At')) };
}

function webhookDelivery(alert: Alert): Delivery {
  const target = alert.nodeId === null ? 'mesh' : `${alert.nodeId} (${alert.nodeId})`;
  return {
    channel: 'webhook',
    key: deliveryKey(`${alert.kind} ${target}`, alert.incidentId ?? undefined, alert.at),
  };
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function duplicates(keys: readonly string[]): string[] {
  return [...countBy(keys)].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

function channelsYaml(receivers: Receivers): string {
  const smtp = `smtp://${encodeURIComponent(SMTP_USER)}:${SMTP_PASSWORD}@127.0.0.1:${receivers.smtp.port}`;
  // Every channel takes WARNING and up, so the storm's degraded/unhealthy/flapping reach them all.
  return [
    'alerts:',
    '  criticalAfter: 2s',
    '  flapping: { changes: 6, window: 10m }',
    '  massFailure: { ratio: 0.5, minNodes: 4 }',
    '  channels:',
    `    email: { minSeverity: WARNING, smtp: "${smtp}", from: "gpu-mesh@example.test", to: ["ops@example.test"] }`,
    `    slack: { minSeverity: WARNING, webhookUrl: "${receivers.slackUrl}" }`,
    `    webhook: { minSeverity: WARNING, url: "${receivers.webhookUrl}", headers: { authorization: "${WEBHOOK_AUTH}" } }`,
  ].join('\n');
}

describe('chaos: alert storms', () => {
  it('through three processes delivers each alert of a flapping node and a mass failure once per channel, none lost', async () => {
    const started = Date.now();
    const redis = await startChaosRedis(cleanups);
    const simulator = await startSimulator({ count: NODES });
    cleanups.push(() => simulator.close());
    // Plain SMTP: a gpu-mesh process cannot be told to trust a self-signed certificate.
    const receivers = await startReceivers(true);
    cleanups.push(() => receivers.close());

    const config = writeTempConfig(
      chaosYaml(redis.url, PREFIX, simulator, [
        'checks: { interval: 500ms, retryInterval: 250ms, timeout: 1s }',
        'keepalive: { interval: 2s }',
        'server: { host: 127.0.0.1, port: 0 }',
        channelsYaml(receivers),
      ]),
    );
    const processes: CliProcess[] = [
      startMesh(cleanups, ['--role', 'scheduler,worker', '--config', config]),
      startMesh(cleanups, ['--role', 'scheduler,worker', '--config', config]),
      startMesh(cleanups, ['--role', 'worker,server', '--config', config]),
    ];
    const describeProcesses = () =>
      processes.map((p, i) => `--- process ${i + 1} (exit ${p.child.exitCode}) ---\n${tail(p)}`).join('\n');

    const store = new NodeStore(redis.client, PREFIX);
    const history = new AlertHistory(redis.client, PREFIX);
    const alertQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.alerts);
    const notifyQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.notify);
    const statuses = async (ids: readonly string[]) =>
      Promise.all(ids.map(async (id) => (await store.read(id)).state.status));
    const delivered = (match: (alert: Alert) => boolean, what: string, timeoutMs: number) =>
      waitFor(async () => (await history.list(3_600_000)).find(match), what, timeoutMs, 100);

    try {
      const ids = simulator.nodes.map((node) => node.id);
      await waitFor(
        async () => (await notifyQueue.getWorkersCount()) >= 3,
        'the notify workers of all three processes',
        30_000,
        100,
      );
      await waitFor(
        async () => (await statuses(ids)).every((status) => status === 'healthy'),
        'every node healthy',
        30_000,
        100,
      );
      const ready = Date.now();

      // 1. The flapping node: dead and alive in turn, faster than its checks come.
      const flapUntil = Date.now() + FLAP_MS;
      let toggles = 0;
      while (Date.now() < flapUntil) {
        await simulator.setMode(FLAPPER, toggles % 2 === 0 ? 'dead' : 'healthy');
        toggles++;
        await sleep(FLAP_HALF_PERIOD_MS);
      }
      await simulator.setMode(FLAPPER, 'healthy');
      const flapping = await delivered(
        (alert) => alert.kind === 'flapping' && alert.nodeId === FLAPPER,
        `a flapping alert for ${FLAPPER}`,
        20_000,
      );
      const flapperChanges = (await store.history(FLAPPER, 200)).length;

      // 2. A mass failure: four of six nodes die at once, then all come back.
      await Promise.all(MASS.map((id) => simulator.setMode(id, 'dead')));
      const mass = await delivered((alert) => alert.kind === 'mass_failure', 'a mass_failure alert', 30_000);
      await Promise.all(MASS.map((id) => simulator.setMode(id, 'healthy')));
      await delivered(
        (alert) => alert.kind === 'recovered' && alert.incidentId === mass.incidentId,
        'the mass failure recovered',
        30_000,
      );
      await waitFor(
        async () => (await statuses(ids)).every((status) => status === 'healthy'),
        'every node healthy again',
        30_000,
        100,
      );

      // 3. One node down past criticalAfter (every evaluation in every process raises its
      // down_too_long until one is delivered), then back.
      await simulator.setMode(LONER, 'dead');
      const downTooLong = await delivered(
        (alert) => alert.kind === 'down_too_long' && alert.nodeId === LONER,
        `down_too_long for ${LONER}`,
        30_000,
      );
      await simulator.setMode(LONER, 'healthy');
      await delivered(
        (alert) => alert.kind === 'recovered' && alert.incidentId === downTooLong.incidentId,
        `${LONER} recovered`,
        30_000,
      );
      // Nothing left to deliver: every alerts job and delivery has run (or failed for good).
      await alertsDrained([alertQueue, notifyQueue], 45_000);

      // What each channel received, and what the `alerts` jobs decided (the routing's own record).
      const emails = receivers.smtp.mails.map(emailDelivery);
      const slacks = receivers.slack.requests.map((request) => slackDelivery(request.body));
      const hooks = receivers.webhook.requests.map((request) => JSON.parse(request.body) as Alert);
      const webhooks = hooks.map(webhookDelivery);
      // Every delivery the `alerts` jobs handed out: one `notify` job per (alert, channel). (The
      // `alerts` jobs' own records are no use here: see the report on `evaluateJob.options`.)
      const deliveries = (await notifyQueue.getJobs(['completed'])).map((job) => ({
        ...(job.data as { alert: Alert; channel: string }),
        addedAt: job.timestamp,
      }));
      const routedTo = (channel: Delivery['channel']) =>
        deliveries
          .filter((delivery) => delivery.channel === channel)
          .map(({ alert }) => webhookDelivery(alert).key)
          .sort();
      const failedDeliveries = await notifyQueue.getJobs(['failed']);
      const failedAlertJobs = await alertQueue.getJobs(['failed']);
      // docs/alerts.md "Mass failure": its nodes send no degraded/unhealthy/misconfigured/down_too_long of
      // their own. Members are the nodes it names whose incident started within its window.
      const episodeStart = Number(mass.incidentId?.split(':')[1]);
      const windowMs = 625; // 1.25 × checks.interval
      const members = simulator.nodes.map((node) => node.id).filter((id) => mass.message.includes(`(${id})`));
      const leaked = hooks.filter(
        (alert) =>
          alert.nodeId !== null &&
          members.includes(alert.nodeId) &&
          Math.abs(Number(alert.incidentId?.split(':')[1]) - episodeStart) <= windowMs &&
          ['degraded', 'unhealthy', 'misconfigured', 'down_too_long'].includes(alert.kind),
      );
      const addedAt = (id: string) =>
        deliveries.find((d) => d.alert.id === id && d.channel === 'webhook')?.addedAt ?? Number.NaN;
      const byKind = (list: readonly Delivery[]) =>
        JSON.stringify(Object.fromEntries(countBy(list.map((d) => d.key.split(' ')[0] ?? ''))));
      const line = (name: string, list: readonly Delivery[]) =>
        `  ${name.padEnd(8)} ${list.length} received ${byKind(list)}, duplicates: ${duplicates(list.map((d) => d.key)).length}`;
      console.log(
        [
          `alert storm: ${processes.length} processes, ${NODES} nodes, ready after ${ready - started} ms`,
          `  ${FLAPPER} toggled ${toggles}× over ${FLAP_MS} ms (${flapperChanges} checks in its history); flapping alert ${flapping.id}`,
          `  mass failure ${mass.id}: ${mass.title}`,
          `  members: ${members.join(', ')}; deliveries handed out (notify jobs): ${deliveries.length}`,
          line('email:', emails),
          line('slack:', slacks),
          line('webhook:', webhooks),
          `  failed deliveries: ${failedDeliveries.length}, failed alerts jobs: ${failedAlertJobs.length}`,
          `  per-node alerts of mass-failure members delivered anyway: ${leaked.length}`,
          ...leaked.map(
            (alert) =>
              `    ${alert.id} handed out ${addedAt(alert.id) - addedAt(`${mass.incidentId}:recovered`)} ms after the mass failure's recovered`,
          ),
          `  whole case: ${Date.now() - started} ms`,
        ].join('\n'),
      );

      // No duplicate: one delivery per (incident, kind, target) and channel; per alert id at the webhook.
      expect(duplicates(emails.map((d) => d.key))).toEqual([]);
      expect(duplicates(slacks.map((d) => d.key))).toEqual([]);
      expect(duplicates(webhooks.map((d) => d.key))).toEqual([]);
      expect(duplicates(hooks.map((alert) => alert.id))).toEqual([]);

      // None lost: each channel received exactly what the alerts jobs routed to it.
      const sorted = (list: readonly Delivery[]) => list.map((d) => d.key).sort();
      expect(sorted(emails)).toEqual(routedTo('email'));
      expect(sorted(slacks)).toEqual(routedTo('slack'));
      expect(sorted(webhooks)).toEqual(routedTo('webhook'));
      expect(failedDeliveries.map((job) => `${job.name}: ${job.failedReason}`)).toEqual([]);
      expect(failedAlertJobs.map((job) => `${job.name}: ${job.failedReason}`)).toEqual([]);

      // The storm's own alerts, each exactly once everywhere.
      for (const list of [emails, slacks, webhooks]) {
        const keys = countBy(list.map((d) => d.key));
        expect(keys.get(webhookDelivery(flapping).key)).toBe(1);
        expect(keys.get(webhookDelivery(mass).key)).toBe(1);
        expect(keys.get(`recovered mesh ${mass.incidentId}`)).toBe(1);
        for (const kind of ['degraded', 'unhealthy', 'down_too_long', 'recovered']) {
          expect(keys.get(`${kind} ${LONER} (${LONER}) ${downTooLong.incidentId}`), kind).toBe(1);
        }
      }

      // No crash.
      for (const p of processes) expect(p.child.exitCode).toBeNull();
      // Whether the members' own alerts were all folded depends on timing here (printed above);
      // the next case pins it down.
    } catch (error) {
      console.log(describeProcesses());
      throw error;
    }
  });

  /*
   * A short mass failure whose members start failing a few seconds apart (within one window): the
   * episode ends when they are all back, which can be before the hold of its later members' own
   * alerts is over. Those alerts must still be folded into the mass failure that named them.
   */
  it('folds the own alerts of every node a short mass failure named, even those held past its end', async () => {
    const started = Date.now();
    const redis = await startChaosRedis(cleanups);
    const simulator = await startSimulator({ count: NODES });
    cleanups.push(() => simulator.close());
    const webhook = await startHttpReceiver();
    cleanups.push(() => webhook.close());
    // A 4 s interval makes the mass-failure window 5 s and the hold 6.25 s (window + timeout +
    // 250 ms); nodes stay degraded (checked every 250 ms) so their return is seen at once, and the
    // keep-alive watch checks a node the moment it dies.
    const config = writeTempConfig(
      chaosYaml(redis.url, PREFIX, simulator, [
        'checks: { interval: 4s, retryInterval: 250ms, timeout: 1s, unhealthyAfter: 100 }',
        'keepalive: { interval: 10s, watch: true }',
        'alerts:',
        '  massFailure: { ratio: 0.5, minNodes: 4 }',
        `  channels: { webhook: { minSeverity: WARNING, url: "${webhook.origin}/hook" } }`,
      ]),
    );
    const mesh = startMesh(cleanups, ['--role', 'scheduler,worker', '--config', config]);
    const store = new NodeStore(redis.client, PREFIX);
    const history = new AlertHistory(redis.client, PREFIX);
    const alertQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.alerts);
    const notifyQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.notify);
    const ids = simulator.nodes.map((node) => node.id);
    const allHealthy = async () =>
      (await Promise.all(ids.map(async (id) => (await store.read(id)).state.status))).every(
        (status) => status === 'healthy',
      );
    try {
      await waitFor(allHealthy, 'every node healthy', 30_000, 100);
      await waitFor(() => mesh.output().includes('keep-alive watch on'), 'the keep-alive watch', 10_000, 100);
      // Two nodes die, then two more 2.5 s later: all four within one 5 s window.
      const t0 = Date.now();
      await Promise.all(MASS.slice(0, 2).map((id) => simulator.setMode(id, 'dead')));
      await sleep(2500);
      await Promise.all(MASS.slice(2).map((id) => simulator.setMode(id, 'dead')));
      const mass = await waitFor(
        async () => (await history.list(3_600_000)).find((alert) => alert.kind === 'mass_failure'),
        'a mass_failure alert',
        20_000,
        50,
      );
      // Back at once: a blip of a few seconds, the kind a switch reboot makes.
      await Promise.all(MASS.map((id) => simulator.setMode(id, 'healthy')));
      const revivedAt = Date.now();
      await waitFor(
        async () =>
          (await history.list(3_600_000)).some(
            (alert) => alert.kind === 'recovered' && alert.incidentId === mass.incidentId,
          ),
        'the mass failure recovered',
        20_000,
        100,
      );
      await waitFor(allHealthy, 'every node healthy again', 20_000, 100);
      // Until every incident's held alerts (due 6.25 s after its first failure) have been decided.
      const memberChecks = await Promise.all(MASS.map(async (id) => (await store.history(id, 200)).length));
      await alertsDrained([alertQueue, notifyQueue], 30_000);
      const received = webhook.requests.map((request) => JSON.parse(request.body) as Alert);
      const firstFailures = MASS.map((id) => {
        const own = received.find((alert) => alert.nodeId === id)?.incidentId;
        return own ? `${id} +${Number(own.split(':')[1]) - t0} ms` : `${id} (no alert of its own)`;
      });
      const own = received.filter((alert) => alert.nodeId !== null && MASS.includes(alert.nodeId));
      console.log(
        [
          `short mass failure: killed at t0 and t0+2.5 s, ${mass.id} at +${Date.parse(mass.at) - t0} ms, revived at +${revivedAt - t0} ms`,
          `  ${mass.title}: ${mass.message.split('.')[0]}`,
          `  webhook received ${received.length}: ${received.map((alert) => alert.id).join(', ')}`,
          `  own alerts of named nodes delivered: ${own.length}; their incidents started at ${firstFailures.join(', ')}`,
          `  checks of the members: ${memberChecks.join(', ')}; whole case ${Date.now() - started} ms`,
        ].join('\n'),
      );
      for (const id of MASS) expect(mass.message).toContain(`(${id})`);
      expect(received.filter((alert) => alert.kind === 'mass_failure')).toHaveLength(1);
      // docs/alerts.md "Mass failure": the nodes of a mass failure send no degraded or unhealthy of their
      // own, but for the first to fail, which started failing alone and was alerted at once.
      const ownAlerts = own.filter((alert) => alert.kind !== 'recovered');
      expect(new Set(ownAlerts.map((alert) => alert.incidentId)).size).toBeLessThanOrEqual(1);
      expect(mesh.child.exitCode).toBeNull();
    } catch (error) {
      console.log(tail(mesh, 40));
      throw error;
    }
  });

  /*
   * docs/alerts.md: a held or folded alert's `alerts` job "in Bull Board says why", and `alerts` jobs are
   * kept 7 days. The evaluation job shares the queue and runs on every state change and whenever a
   * rule comes due; what it keeps of its own must not push the alerts' records out.
   */
  it("keeps each alert's job and its decision in Bull Board while evaluations run", async () => {
    const redis = await startChaosRedis(cleanups);
    const simulator = await startSimulator({ count: 2 });
    cleanups.push(() => simulator.close());
    const config = writeTempConfig(
      chaosYaml(redis.url, PREFIX, simulator, [
        'checks: { interval: 500ms, retryInterval: 250ms, timeout: 1s }',
        'keepalive: { watch: false }',
      ]),
    );
    const mesh = startMesh(cleanups, ['--role', 'scheduler,worker', '--config', config]);
    const store = new NodeStore(redis.client, PREFIX);
    const history = new AlertHistory(redis.client, PREFIX);
    const alertQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.alerts);
    try {
      await waitFor(
        async () => (await store.read('sim-1')).state.status === 'healthy',
        'sim-1 healthy',
        30_000,
      );
      await simulator.setMode('sim-1', 'dead');
      const degraded = await waitFor(
        async () => (await history.list(3_600_000)).find((alert) => alert.kind === 'degraded'),
        'a degraded alert',
        15_000,
        50,
      );
      const jobId = alertJobId(degraded);
      const seenAt = Date.now();
      // Evaluations run on each of the dead node's changes and each rule coming due (125 ms steps).
      let goneAfter: number | null = null;
      while (Date.now() - seenAt < 3000 && goneAfter === null) {
        if ((await alertQueue.getJob(jobId)) === undefined) goneAfter = Date.now() - seenAt;
        await sleep(50);
      }
      const completed = await alertQueue.getJobs(['completed']);
      console.log(
        [
          `alerts job ${jobId}: ${goneAfter === null ? 'still in the queue after 3 s' : `gone ${goneAfter} ms after its alert was recorded`}`,
          `  completed jobs left in the alerts queue: ${completed.length} (${[...new Set(completed.map((job) => job?.name))].join(', ')})`,
        ].join('\n'),
      );
      expect(goneAfter, `the alerts job of ${degraded.id} is still in Bull Board`).toBeNull();
      expect(mesh.child.exitCode).toBeNull();
    } catch (error) {
      console.log(tail(mesh, 20));
      throw error;
    }
  });
});
