import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertingMesh,
  alertLogLines,
  bodies,
  channelsYaml,
  type Receivers,
  secretsOf,
  slackTexts,
  startAlertingMesh,
  startReceivers,
} from './support.js';

/**
 * A node killed until it is down longer than criticalAfter, then revived: what each channel
 * receives, with one gpu-mesh instance and with two on the same Redis and prefix.
 */
async function killAndRevive(mesh: AlertingMesh): Promise<void> {
  await mesh.waitForStatus(['sim-1', 'sim-2'], 'healthy');
  await mesh.simulator.setMode('sim-1', 'dead');
  await mesh.waitForAlert(
    (alert) => alert.kind === 'down_too_long' && alert.nodeId === 'sim-1',
    'down_too_long',
  );
  await mesh.simulator.setMode('sim-1', 'healthy');
  await mesh.waitForAlert((alert) => alert.kind === 'recovered' && alert.nodeId === 'sim-1', 'recovered');
  await mesh.quiesce();
}

function expectOneIncidentDelivered(mesh: AlertingMesh, receivers: Receivers): void {
  const logged = alertLogLines(mesh.logs)
    .sort((a, b) => Date.parse(a.alert.at) - Date.parse(b.alert.at))
    .map(({ level, alert }) => [level, alert.kind]);
  expect(logged).toEqual([
    [40, 'degraded'],
    [50, 'unhealthy'],
    [60, 'down_too_long'],
    [30, 'recovered'],
  ]);
  expect(receivers.smtp.mails.map((mail) => mail.subject)).toEqual([
    '[gpu-mesh] CRITICAL down_too_long: sim-1 (sim-1)',
    '[gpu-mesh] INFO recovered: sim-1 (sim-1)',
  ]);
  expect(slackTexts(receivers.slack.requests)).toEqual([
    '[gpu-mesh] CRITICAL down_too_long: sim-1 (sim-1)',
    '[gpu-mesh] INFO recovered: sim-1 (sim-1)',
  ]);
  const hooks = bodies(receivers.webhook.requests);
  expect(hooks.map((alert) => alert.kind)).toEqual(['unhealthy', 'down_too_long', 'recovered']);
  const incident = hooks[0]?.incidentId;
  expect(incident).toMatch(/^sim-1:\d+$/);
  expect(hooks.every((alert) => alert.incidentId === incident)).toBe(true);
}

const CRITICAL_AFTER = '  criticalAfter: 2s';

describe('a node killed past criticalAfter and revived (one instance)', () => {
  let receivers: Receivers;
  let mesh: AlertingMesh;

  beforeAll(async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({ nodes: 2, yaml: channelsYaml(receivers, CRITICAL_AFTER) });
    await killAndRevive(mesh);
  });
  afterAll(async () => {
    await mesh?.stop();
    await receivers?.close();
  });

  it('logs WARNING, ERROR, CRITICAL and INFO alerts at their levels', () => {
    expectOneIncidentDelivered(mesh, receivers);
  });

  it('sends e-mail and Slack exactly the CRITICAL and its recovery, and the webhook exactly three', () => {
    expect(receivers.smtp.mails).toHaveLength(2);
    expect(receivers.slack.requests).toHaveLength(2);
    expect(receivers.webhook.requests).toHaveLength(3);
    expect(receivers.webhook.requests[0]?.headers.authorization).toBe('Bearer header-secret-XYZ');
  });

  it('records the alerts in the history, newest first', async () => {
    const kinds = (await mesh.history.list(3_600_000)).map((alert) => alert.kind);
    expect(kinds).toEqual(['recovered', 'down_too_long', 'unhealthy', 'degraded']);
  });

  it('writes no password, SMTP credential, webhook URL or header value in any log line', () => {
    expect(mesh.logs.length).toBeGreaterThan(10);
    for (const secret of secretsOf(receivers)) {
      expect(mesh.logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});

describe('a node killed past criticalAfter and revived (two instances on one Redis and prefix)', () => {
  let receivers: Receivers;
  let mesh: AlertingMesh;

  beforeAll(async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({ nodes: 2, yaml: channelsYaml(receivers, CRITICAL_AFTER), instances: 2 });
    await killAndRevive(mesh);
  });
  afterAll(async () => {
    await mesh?.stop();
    await receivers?.close();
  });

  it('delivers the same alerts, nothing doubled', () => {
    expectOneIncidentDelivered(mesh, receivers);
    expect(receivers.smtp.mails).toHaveLength(2);
    expect(receivers.slack.requests).toHaveLength(2);
    expect(receivers.webhook.requests).toHaveLength(3);
  });
});

describe('a node killed past criticalAfter and revived (two `gpu-mesh start` processes)', () => {
  let receivers: Receivers;
  let mesh: AlertingMesh;

  beforeAll(async () => {
    receivers = await startReceivers(true);
    mesh = await startAlertingMesh({
      nodes: 2,
      yaml: channelsYaml(receivers, CRITICAL_AFTER),
      instances: 2,
      processes: true,
    });
    await killAndRevive(mesh);
  });
  afterAll(async () => {
    await mesh?.stop();
    await receivers?.close();
  });

  it('delivers the same alerts, nothing doubled, and logs no secret', () => {
    expectOneIncidentDelivered(mesh, receivers);
    expect(receivers.smtp.mails).toHaveLength(2);
    expect(receivers.slack.requests).toHaveLength(2);
    expect(receivers.webhook.requests).toHaveLength(3);
    for (const secret of secretsOf(receivers)) {
      expect(mesh.logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
