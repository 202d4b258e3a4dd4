import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import {
  type AlertingMesh,
  bodies,
  channelsYaml,
  type Receivers,
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
