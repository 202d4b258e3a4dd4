/**
 * A lone crash reaches people as fast as it is detected, mass-failure folding in force (SPEC
 * `mass_failure`): its ERROR is delivered within a second of the node turning unhealthy, where
 * before it waited a whole mass-failure hold (1.25 × interval + timeout + 250 ms).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { readWatchStates } from '../../src/mesh/watch-states.js';
import { waitFor } from '../helpers/wait.js';
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

/** Kills `sim-1` and returns the ms from its unhealthy status to its ERROR at the webhook. */
async function unhealthyToDelivered(t: AlertingMesh, hooks: Receivers): Promise<number> {
  await t.simulator.setMode('sim-1', 'dead');
  let unhealthyAt = 0;
  let deliveredAt = 0;
  const delivered = (alerts: Alert[]) => alerts.some((a) => a.kind === 'unhealthy' && a.nodeId === 'sim-1');
  await waitFor(
    async () => {
      if (unhealthyAt === 0 && (await t.status('sim-1')) === 'unhealthy') unhealthyAt = Date.now();
      if (deliveredAt === 0 && delivered(bodies(hooks.webhook.requests))) deliveredAt = Date.now();
      return unhealthyAt > 0 && deliveredAt > 0;
    },
    'sim-1 unhealthy and its ERROR at the webhook',
    20_000,
    10,
  );
  return deliveredAt - unhealthyAt;
}

describe('one node of six crashing alone', () => {
  it('has its ERROR delivered within a second of turning unhealthy (interval 1 s)', async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({
      nodes: 6,
      yaml: channelsYaml(receivers),
      checks: '  interval: 1s\n  retryInterval: 250ms\n  timeout: 1s',
    });
    await mesh.waitForStatus(
      mesh.simulator.nodes.map((node) => node.id),
      'healthy',
    );
    expect(await unhealthyToDelivered(mesh, receivers)).toBeLessThan(1000);
    await mesh.quiesce();
    expect(bodies(receivers.webhook.requests).map((alert) => alert.kind)).toEqual(['unhealthy']);
  });

  it('is found by the keep-alive watch and alerted within a second at a 30 s interval', async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({
      nodes: 6,
      yaml: channelsYaml(receivers),
      checks: '  interval: 30s\n  retryInterval: 250ms\n  timeout: 1s',
    });
    const t = mesh;
    const all = t.simulator.nodes.map((node) => node.id);
    await t.waitForStatus(all, 'healthy', 40_000);
    await waitFor(
      async () =>
        [...(await readWatchStates(t.redis, t.prefix, all)).values()].every((s) => s === 'connected'),
      'every watch connected',
    );
    expect(await unhealthyToDelivered(t, receivers)).toBeLessThan(1000);
  }, 60_000);
});

describe('a second node failing while the first still fails', () => {
  it('waits for its hold, then is delivered too (two failures are no mass failure)', async () => {
    receivers = await startReceivers();
    mesh = await startAlertingMesh({
      nodes: 6,
      yaml: channelsYaml(receivers),
      checks: '  interval: 1s\n  retryInterval: 250ms\n  timeout: 1s',
    });
    const t = mesh;
    await t.waitForStatus(
      t.simulator.nodes.map((node) => node.id),
      'healthy',
    );
    await t.simulator.setMode('sim-1', 'dead');
    await t.waitForStatus(['sim-1'], 'degraded', 3000);
    await t.simulator.setMode('sim-2', 'dead');
    const isSim2 = (alert: Alert) => alert.kind === 'unhealthy' && alert.nodeId === 'sim-2';
    await waitFor(() => bodies(receivers!.webhook.requests).some(isSim2), 'sim-2 at the webhook', 10_000, 10);
    const deliveredAt = Date.now();
    const second = await t.waitForAlert(isSim2, 'sim-2 unhealthy in the history');
    const first = await t.waitForAlert(
      (a) => a.kind === 'unhealthy' && a.nodeId === 'sim-1',
      'sim-1 unhealthy',
    );
    // sim-2 started failing while sim-1 failed: its alert waited for its hold (window 1.25 s +
    // timeout 1 s + 250 ms from its first failure), and no longer.
    const sim2Since = Number(second.incidentId?.split(':')[1]);
    expect(deliveredAt - sim2Since).toBeGreaterThanOrEqual(2500);
    expect(deliveredAt - sim2Since).toBeLessThan(5000);
    await t.quiesce();
    const hooks = bodies(receivers.webhook.requests).map((alert) => `${alert.kind} ${alert.nodeId}`);
    expect(hooks).toEqual(['unhealthy sim-1', 'unhealthy sim-2']);
    expect(first.incidentId).not.toBe(second.incidentId);
  });
});
