import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { readWatchStates } from '../../src/mesh/watch-states.js';
import { waitFor } from '../helpers/wait.js';
import {
  type AlertingMesh,
  bodies,
  channelsYaml,
  type Receivers,
  SMTP_PASSWORD,
  SMTP_USER,
  startAlertingMesh,
  startReceivers,
} from './support.js';

let receivers: Receivers | undefined;
let mesh: AlertingMesh | undefined;

afterEach(async () => {
  await mesh?.stop();
  await receivers?.close();
  mesh = undefined;
  receivers = undefined;
});

const ofNode = (alerts: readonly Alert[], nodeId: string, kind: string) =>
  alerts.filter((alert) => alert.nodeId === nodeId && alert.kind === kind);

describe('a flapping node (down and up at every check)', () => {
  it('raises one flapping alert, not a stream, holds its alerts, and sends the held one once it settles', async () => {
    receivers = await startReceivers();
    const flapping = '  flapping: { changes: 3, window: 3s }';
    mesh = await startAlertingMesh({ nodes: 2, yaml: channelsYaml(receivers, flapping) });
    await mesh.waitForStatus(['sim-1', 'sim-2'], 'healthy');

    for (let cycle = 0; cycle < 4; cycle++) {
      await mesh.simulator.setMode('sim-1', 'dead');
      await mesh.waitForStatus(['sim-1'], 'degraded');
      await mesh.simulator.setMode('sim-1', 'healthy');
      await mesh.waitForStatus(['sim-1'], 'healthy');
    }
    const flappingAlert = await mesh.waitForAlert((alert) => alert.kind === 'flapping', 'the flapping alert');
    await mesh.quiesce();
    const during = await mesh.history.list(3_600_000);
    expect(during.filter((alert) => alert.kind === 'flapping')).toHaveLength(1);
    // 8 changes, flapping from the 4th: the alerts of the first two incidents (the second one's
    // recovered comes with the change that made it flapping), nothing after.
    const raisedAfter = during.filter((alert) => Date.parse(alert.at) > Date.parse(flappingAlert.at));
    expect(raisedAfter).toEqual([]);
    expect(ofNode(during, 'sim-1', 'degraded').length).toBeLessThanOrEqual(2);

    // It stays down: once its status holds for a window, the held alert goes out.
    await mesh.simulator.setMode('sim-1', 'dead');
    const settled = await mesh.waitForAlert(
      (alert) => alert.kind === 'unhealthy' && alert.id.endsWith(':settled'),
      'the held unhealthy alert once sim-1 settled',
    );
    expect(settled.title).toBe('sim-1 (sim-1) stopped flapping and is unhealthy');
    await mesh.quiesce();
    expect(bodies(receivers.webhook.requests).map((alert) => alert.id)).toEqual([settled.id]);
  });
});

describe('five of eight nodes killed at once', () => {
  it('raises one mass_failure naming them all and no per-node ERROR alert for them', async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({
      nodes: 8,
      yaml: channelsYaml(receivers),
      checks: '  interval: 1s\n  retryInterval: 250ms\n  timeout: 1s',
    });
    const all = mesh.simulator.nodes.map((node) => node.id);
    const killed = all.slice(0, 5);
    await mesh.waitForStatus(all, 'healthy');

    await Promise.all(killed.map((id) => mesh!.simulator.setMode(id, 'dead')));
    const mass = await mesh.waitForAlert((alert) => alert.kind === 'mass_failure', 'the mass failure');
    await mesh.waitForStatus(killed, 'unhealthy');
    await mesh.quiesce();

    const alerts = await mesh.history.list(3_600_000);
    expect(alerts.filter((alert) => alert.kind === 'mass_failure')).toEqual([mass]);
    for (const id of killed) expect(mass.message).toContain(`${id} (${id})`);
    expect(mass).toMatchObject({
      severity: 'CRITICAL',
      nodeId: null,
      title: 'Mass failure: 5 of 8 nodes failed at once',
    });
    expect(alerts.filter((alert) => alert.nodeId !== null && alert.severity === 'ERROR')).toEqual([]);
    expect(bodies(receivers.webhook.requests).map((alert) => alert.kind)).toEqual(['mass_failure']);
    expect(receivers.smtp.mails.map((mail) => mail.subject)).toEqual([
      '[gpu-mesh] CRITICAL mass_failure: mesh',
    ]);

    await Promise.all(killed.map((id) => mesh!.simulator.setMode(id, 'healthy')));
    const over = await mesh.waitForAlert(
      (alert) => alert.kind === 'recovered' && alert.incidentId === mass.incidentId,
      'the end of the mass failure',
    );
    expect(over.nodeId).toBeNull();
    await mesh.quiesce();
    expect(bodies(receivers.webhook.requests).map((alert) => alert.kind)).toEqual([
      'mass_failure',
      'recovered',
    ]);
  });
});

describe('a short mass failure whose nodes are back before the hold of the last ones is over', () => {
  it('folds the own alerts of every node it named, even those processed after it ended', async () => {
    receivers = await startReceivers();
    const smtp = `smtp://${encodeURIComponent(SMTP_USER)}:${SMTP_PASSWORD}@127.0.0.1:${receivers.smtp.port}`;
    // interval 4 s: the window is 5 s and an incident's alerts wait 5.75 s (window + timeout + 250 ms).
    // Every channel takes WARNING, so a `degraded` that is not folded reaches the webhook.
    mesh = await startAlertingMesh({
      nodes: 6,
      checks: '  interval: 4s\n  retryInterval: 250ms\n  timeout: 500ms\n  unhealthyAfter: 100',
      yaml: [
        'alerts:',
        '  massFailure: { ratio: 0.5, minNodes: 4 }',
        '  channels:',
        `    email: { minSeverity: WARNING, smtp: "${smtp}", from: "gpu-mesh@example.test", to: ["ops@example.test"] }`,
        `    webhook: { minSeverity: WARNING, url: "${receivers.webhookUrl}" }`,
      ].join('\n'),
    });
    const t = mesh;
    const all = t.simulator.nodes.map((node) => node.id);
    const [early, late] = [all.slice(0, 2), all.slice(2, 4)];
    await t.waitForStatus(all, 'healthy');
    // The keep-alive watch checks a node the moment it dies, whatever the 4 s interval.
    await waitFor(
      async () =>
        [...(await readWatchStates(t.redis, t.prefix, all)).values()].every((s) => s === 'connected'),
      'every watch connected',
    );

    const t0 = Date.now();
    await Promise.all(early.map((id) => t.simulator.setMode(id, 'dead')));
    await t.waitForStatus(early, 'degraded', 2000);
    // The other two fail 3 s later, within the window: their alerts are due 3 s after the first two's.
    await waitFor(() => Date.now() - t0 >= 3000, '3 s after the first failures', 4000, 50);
    await Promise.all(late.map((id) => t.simulator.setMode(id, 'dead')));
    await t.waitForStatus(late, 'degraded', 2000);
    // All back before any hold is over: the episode ends before the last nodes' alerts are processed.
    await Promise.all([...early, ...late].map((id) => t.simulator.setMode(id, 'healthy')));
    await t.waitForStatus(all, 'healthy', 3000);
    expect(Date.now() - t0).toBeLessThan(5750);

    const mass = await t.waitForAlert((alert) => alert.kind === 'mass_failure', 'the mass failure');
    const over = await t.waitForAlert(
      (alert) => alert.kind === 'recovered' && alert.incidentId === mass.incidentId,
      'the end of the mass failure',
    );
    await t.quiesce();

    // The case at hand: the late nodes' own alerts were decided after the mass failure ended.
    const queue = new Queue(QUEUE_NAMES.alerts, { connection: t.redis, prefix: t.prefix });
    try {
      const jobs = (await queue.getJobs(['completed'])).filter((job) =>
        late.some((id) => job.name === `alert degraded ${id}`),
      );
      expect(jobs).toHaveLength(2);
      for (const job of jobs) {
        expect(job.returnvalue).toEqual({
          delivered: false,
          reason: `folded into mass failure ${mass.incidentId}`,
        });
        expect(job.processedOn).toBeGreaterThan(Date.parse(over.at));
      }
    } finally {
      await queue.close();
    }

    expect(mass.title).toBe('Mass failure: 4 of 6 nodes failed at once');
    // The first node to fail started failing alone, so its own alert went out at once (SPEC: a
    // mass failure sends at most one per-node alert before its mass_failure); every other is folded.
    const alerts = await t.history.list(3_600_000);
    const own = alerts.filter((alert) => alert.nodeId !== null && alert.kind !== 'recovered');
    expect(own.length).toBeLessThanOrEqual(1);
    for (const alert of own) {
      expect(alert.kind).toBe('degraded');
      expect(early).toContain(alert.nodeId);
    }
    const hooks = bodies(receivers.webhook.requests).filter((alert) => alert.nodeId === null);
    expect(hooks.map((alert) => `${alert.kind} ${alert.incidentId}`)).toEqual([
      `mass_failure ${mass.incidentId}`,
      `recovered ${mass.incidentId}`,
    ]);
    expect(bodies(receivers.webhook.requests).length).toBeLessThanOrEqual(2 + 2 * own.length);
    expect(
      receivers.smtp.mails.map((mail) => mail.subject).filter((subject) => subject.endsWith(': mesh')),
    ).toEqual(['[gpu-mesh] CRITICAL mass_failure: mesh', '[gpu-mesh] INFO recovered: mesh']);
  }, 30_000);
});
