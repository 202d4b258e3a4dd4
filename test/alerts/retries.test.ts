import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { alertJobId, notifyJobId } from '../../src/alerts/routing.js';
import { alertJob } from '../../src/jobs/alert.js';
import { silenceNode } from '../../src/mesh/silence.js';
import { waitFor } from '../helpers/wait.js';
import { makeAlert } from './helpers.js';
import {
  type AlertingOnly,
  channelsYaml,
  type Receivers,
  secretsOf,
  startAlertingOnly,
  startReceivers,
  TEST_TUNING,
} from './support.js';

const T0 = Date.now();
const critical = makeAlert({
  id: `gpu-1:${T0}:down_too_long`,
  at: new Date(T0).toISOString(),
  kind: 'down_too_long',
  severity: 'CRITICAL',
  nodeId: 'gpu-1',
  incidentId: `gpu-1:${T0}`,
  title: 'GPU one (gpu-1) has been down for 10 min',
});

let receivers: Receivers;
let t: AlertingOnly | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
  await receivers?.close();
});

describe('a failing channel', () => {
  it('delays nothing else: the e-mail arrives while Slack answers 500, and Slack gets it once it recovers', async () => {
    receivers = await startReceivers();
    t = await startAlertingOnly(channelsYaml(receivers), {
      ...TEST_TUNING,
      delivery: { attempts: 5, backoffMs: 300 },
    });
    receivers.slack.status = 500;

    await t.alerting.raise([critical]);
    await waitFor(() => receivers.smtp.mails.length === 1, 'the e-mail');
    expect(receivers.slack.accepted).toHaveLength(0);

    await waitFor(() => receivers.slack.requests.length >= 2, 'a second try at Slack');
    receivers.slack.status = 200;
    await waitFor(() => receivers.slack.accepted.length === 1, 'Slack to receive the alert');

    const job = await Job.fromId(t.notifyQueue, notifyJobId(critical.id, 'slack'));
    await waitFor(async () => (await job?.getState()) === 'completed', 'the Slack delivery job to complete');
    expect(receivers.slack.requests.length).toBeGreaterThanOrEqual(3);
    expect(receivers.smtp.mails).toHaveLength(1);
    expect(receivers.webhook.requests).toHaveLength(1);
    expect(t.logs.some((line) => line.includes('notify slack down_too_long gpu-1: try 1 of 5 failed'))).toBe(
      true,
    );
    for (const secret of secretsOf(receivers))
      expect(t.logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('leaves a failed job after its last try, which a manual retry sends again', async () => {
    receivers = await startReceivers();
    t = await startAlertingOnly(channelsYaml(receivers), {
      ...TEST_TUNING,
      delivery: { attempts: 2, backoffMs: 50 },
    });
    receivers.slack.status = 500;

    await t.alerting.raise([critical]);
    const job = await waitFor(async () => {
      const found = await Job.fromId(t!.notifyQueue, notifyJobId(critical.id, 'slack'));
      return (await found?.getState()) === 'failed' ? found : null;
    }, 'the Slack delivery to fail for good');
    expect(job.attemptsMade).toBe(2);
    expect(receivers.slack.requests).toHaveLength(2);
    expect(t.logs.some((line) => line.includes('failed for good after 2 tries'))).toBe(true);

    receivers.slack.status = 200;
    await job.retry();
    await waitFor(() => receivers.slack.accepted.length === 1, 'the retried delivery');
    await waitFor(async () => (await job.getState()) === 'completed', 'the retried job to complete');
    await waitFor(() => receivers.smtp.mails.length === 1, 'the e-mail, delivered once');
    expect(receivers.smtp.mails).toHaveLength(1);
  });
});

describe('routing in Redis', () => {
  it('sends nothing for a silenced node but its log line', async () => {
    receivers = await startReceivers();
    t = await startAlertingOnly(channelsYaml(receivers), TEST_TUNING);
    await silenceNode(t.redis, t.prefix, 'gpu-1', 60_000, 'driver update', Date.now());

    await t.alerting.raise([critical]);
    expect(await t.outcomeOf(critical)).toEqual({ delivered: true, channels: ['log'] });
    expect((await t.history.list(3_600_000)).map((alert) => alert.id)).toEqual([critical.id]);
    expect(
      t.logs.some((line) => line.includes('"kind":"down_too_long"') && line.includes('"level":60')),
    ).toBe(true);
    expect(await t.notifyQueue.getJobCounts()).toMatchObject({
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
    });
  });

  it("sends an incident's recovered to every channel its alerts went to, and drops its alerts that come after", async () => {
    receivers = await startReceivers();
    t = await startAlertingOnly(channelsYaml(receivers), TEST_TUNING);
    const recovered = makeAlert({
      id: `gpu-1:${T0}:recovered`,
      kind: 'recovered',
      severity: 'INFO',
      nodeId: 'gpu-1',
      incidentId: `gpu-1:${T0}`,
    });
    const late = makeAlert({ id: `gpu-1:${T0}:unhealthy`, nodeId: 'gpu-1', incidentId: `gpu-1:${T0}` });

    await t.alerting.raise([critical]);
    expect(await t.outcomeOf(critical)).toEqual({
      delivered: true,
      channels: ['log', 'email', 'slack', 'webhook'],
    });
    await t.alerting.raise([recovered]);
    expect(await t.outcomeOf(recovered)).toEqual({
      delivered: true,
      channels: ['log', 'email', 'slack', 'webhook'],
    });
    await t.alerting.raise([late]);
    expect(await t.outcomeOf(late)).toEqual({
      delivered: false,
      reason: `stale: incident gpu-1:${T0} already ended`,
    });
  });

  it('delivers an alert id once, even when it is raised again after its job was removed', async () => {
    receivers = await startReceivers();
    t = await startAlertingOnly(channelsYaml(receivers), TEST_TUNING);
    await t.alerting.raise([critical]);
    expect(await t.outcomeOf(critical)).toMatchObject({ delivered: true });
    await (await t.alertQueue.getJob(alertJobId(critical)))?.remove();

    // Another process (which has not seen it) raises it again: a new job under the same id.
    await t.alertQueue.add(alertJob.jobName(critical), { alert: critical }, { jobId: alertJobId(critical) });
    expect(await t.outcomeOf(critical)).toEqual({
      delivered: false,
      reason: `alert ${critical.id} was already delivered`,
    });
    await waitFor(() => receivers.webhook.requests.length === 1, 'the webhook');
    expect(receivers.smtp.mails.length + receivers.slack.requests.length).toBeLessThanOrEqual(2);
  });
});
