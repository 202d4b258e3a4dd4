import type { ServerResponse } from 'node:http';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createEmailChannel } from '../../src/alerts/channels/email.js';
import { createSlackChannel } from '../../src/alerts/channels/slack.js';
import type { AlertChannel } from '../../src/alerts/channels/types.js';
import { createWebhookChannel } from '../../src/alerts/channels/webhook.js';
import { notifyJobId } from '../../src/alerts/routing.js';
import { waitFor } from '../helpers/wait.js';
import {
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  startTricklingSmtp,
  timedRejection,
} from './helpers.js';
import { type AlertingOnly, startAlertingOnly, TEST_TUNING } from './support.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const never = new AbortController().signal;
const PASSWORD = 'trickle-s3cret';

/** An HTTP receiver that sends its headers at once, then one body byte every 100 ms, forever. */
async function startTricklingHttp() {
  const timers = new Set<NodeJS.Timeout>();
  const server = await startHttpServer((_, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => response.write('.'), 100);
    timers.add(timer);
    response.on('close', () => clearInterval(timer));
  });
  cleanups.push(async () => {
    for (const timer of timers) clearInterval(timer);
    await server.close();
  });
  return server;
}

describe('deliverWithinDeadline', () => {
  it('ends an e-mail that a trickling SMTP server keeps alive at the channel timeout, and closes the connection', async () => {
    const smtp = await startTricklingSmtp(100);
    cleanups.push(() => smtp.close());
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp: `smtp://alerts:${PASSWORD}@127.0.0.1:${smtp.port}`,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 600,
    });

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(email, makeAlert(), makeContext(), never),
    );

    expect(error.message).toBe(
      'email: timed out after 600 ms (alerts.channels.email.timeout), delivery abandoned',
    );
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(3000);
    expect(errorChainText(error)).not.toContain(PASSWORD);
    // The server was still talking when the deadline struck, and sees the client hang up.
    const [held] = smtp.connections;
    expect(held?.lines).toBeGreaterThan(3);
    await waitFor(() => smtp.open() === 0, 'the SMTP server to see the connection end', 2000);
    expect((held?.endedAt ?? Number.POSITIVE_INFINITY) - (held?.openedAt ?? 0)).toBeLessThan(600 + 500);
  });

  it('ends a Slack post whose answer never finishes at the channel timeout, body included', async () => {
    const slack = await startTricklingHttp();
    const channel = createSlackChannel({
      minSeverity: 'INFO',
      webhookUrl: `${slack.origin}/services/T0/B0/XXXXsecretXXXX`,
      timeout: 500,
    });

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(channel, makeAlert(), makeContext(), never),
    );

    expect(error.message).toBe(
      'slack: timed out after 500 ms (alerts.channels.slack.timeout), delivery abandoned',
    );
    expect(ms).toBeLessThan(2500);
    expect(errorChainText(error)).not.toContain('XXXXsecretXXXX');
  });

  it('ends a webhook post that is never answered at the channel timeout', async () => {
    const receiver = await startHttpServer(() => undefined);
    cleanups.push(() => receiver.close());
    const channel = createWebhookChannel({
      minSeverity: 'INFO',
      url: `${receiver.origin}/hook?token=abc123secret`,
      headers: {},
      timeout: 400,
    });

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(channel, makeAlert(), makeContext(), never),
    );

    expect(error.message).toBe(
      'webhook: timed out after 400 ms (alerts.channels.webhook.timeout), delivery abandoned',
    );
    expect(ms).toBeLessThan(2500);
    expect(errorChainText(error)).not.toContain('abc123secret');
  });

  it('abandons a channel that ignores its signal at the deadline all the same', async () => {
    const deaf: AlertChannel = {
      name: 'webhook',
      minSeverity: 'INFO',
      timeout: 200,
      send: () => new Promise<void>(() => undefined),
    };

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(deaf, makeAlert(), makeContext(), never),
    );

    expect(error.message).toMatch(/^webhook: timed out after 200 ms/);
    expect(ms).toBeLessThan(2000);
  });

  it("passes a channel's own failure before the deadline through unchanged", async () => {
    const failing: AlertChannel = {
      name: 'slack',
      minSeverity: 'INFO',
      timeout: 5000,
      send: async () => {
        throw new Error('slack: HTTP 500 from the webhook');
      },
    };

    const { error } = await timedRejection(() =>
      deliverWithinDeadline(failing, makeAlert(), makeContext(), never),
    );

    expect(error.message).toBe('slack: HTTP 500 from the webhook');
  });

  it('stops at once, without blaming the deadline, when the job is aborted (shutdown)', async () => {
    const smtp = await startTricklingSmtp(100);
    cleanups.push(() => smtp.close());
    const email = createEmailChannel({
      minSeverity: 'INFO',
      smtp: `smtp://127.0.0.1:${smtp.port}`,
      from: 'a@x.test',
      to: ['b@x.test'],
      timeout: 30_000,
    });
    const stop = new AbortController();
    const delivery = timedRejection(() =>
      deliverWithinDeadline(email, makeAlert(), makeContext(), stop.signal),
    );
    await waitFor(() => (smtp.connections[0]?.lines ?? 0) > 2, 'the SMTP server to trickle');
    stop.abort(new Error('shutting down'));

    const { error, ms } = await delivery;

    expect(error.message).not.toMatch(/timed out/);
    expect(ms).toBeLessThan(5000);
    await waitFor(() => smtp.open() === 0, 'the SMTP server to see the connection end', 2000);
  });
});

describe('a notify job past its channel timeout', () => {
  let t: AlertingOnly | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('fails its try with one line naming the channel and deadline, and the SMTP connection ends', async () => {
    const smtp = await startTricklingSmtp();
    cleanups.push(() => smtp.close());
    t = await startAlertingOnly(
      [
        'alerts:',
        '  channels:',
        `    email: { minSeverity: WARNING, smtp: "smtp://127.0.0.1:${smtp.port}", from: "a@x.test", to: ["b@x.test"], timeout: 700ms }`,
      ].join('\n'),
      { ...TEST_TUNING, delivery: { attempts: 2, backoffMs: 50 } },
    );
    const alert = makeAlert({ id: `gpu-1:${Date.now()}:unhealthy`, nodeId: 'gpu-1' });

    await t.alerting.raise([alert]);
    const job = await waitFor(
      async () => {
        const found = await Job.fromId(t!.notifyQueue, notifyJobId(alert.id, 'email'));
        return (await found?.getState()) === 'failed' ? found : null;
      },
      'the e-mail delivery to fail for good',
      10_000,
      50,
    );

    expect(job.attemptsMade).toBe(2);
    expect(job.failedReason).toBe(
      'email: timed out after 700 ms (alerts.channels.email.timeout), delivery abandoned',
    );
    expect(job.failedReason).not.toContain('\n');
    expect(smtp.connections).toHaveLength(2);
    await waitFor(() => smtp.open() === 0, 'the SMTP server to see both connections end', 2000);
    for (const held of smtp.connections) {
      expect(held.lines).toBeGreaterThan(1);
      expect((held.endedAt ?? Number.POSITIVE_INFINITY) - held.openedAt).toBeLessThan(700 + 1500);
    }
  });
});
