import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createWebhookChannel } from '../../src/alerts/channels/webhook.js';
import type { Alert } from '../../src/alerts/types.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';

const never = new AbortController().signal;

let receiver: LoopbackHttpServer | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('the webhook channel', () => {
  it('posts exactly the Alert JSON with the configured headers', async () => {
    receiver = await startHttpServer((_, res) => {
      res.statusCode = 204;
      res.end();
    });
    const channel = createWebhookChannel({
      minSeverity: 'ERROR',
      url: `${receiver.origin}/hooks/gpu?token=abc`,
      headers: { authorization: 'Bearer s3cret', 'x-team': 'ml-infra' },
      timeout: 1_000,
    });
    const alert = makeAlert();
    const withExtra = { ...alert, internal: 'not for the receiver' } as Alert;

    await channel.send(withExtra, makeContext(), never);
    const request = await receiver.nextRequest();

    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/gpu?token=abc');
    expect(JSON.parse(request.body)).toEqual(alert);
    expect(request.body).toBe(JSON.stringify(alert));
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer s3cret');
    expect(request.headers['x-team']).toBe('ml-infra');
  });

  it('always sends JSON, whatever content type the configuration names', async () => {
    receiver = await startHttpServer((_, res) => res.end());
    const channel = createWebhookChannel({
      minSeverity: 'ERROR',
      url: `${receiver.origin}/`,
      headers: { 'Content-Type': 'text/plain' },
      timeout: 1_000,
    });

    await channel.send(makeAlert(), makeContext(), never);

    expect((await receiver.nextRequest()).headers['content-type']).toBe('application/json');
  });

  it.each([400, 404, 500, 503])(
    'rejects an answer %i with its status and without the URL',
    async (status) => {
      receiver = await startHttpServer((_, res) => {
        res.statusCode = status;
        res.end('nope');
      });
      const url = `${receiver.origin}/hooks/gpu?token=abc123secret`;
      const channel = createWebhookChannel({ minSeverity: 'ERROR', url, headers: {}, timeout: 1_000 });

      const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

      expect(error.message).toMatch(new RegExp(`^webhook: HTTP ${status}\\b`));
      expect(errorChainText(error)).not.toContain('abc123secret');
    },
  );

  it('does not follow a redirect', async () => {
    receiver = await startHttpServer((_, res) => {
      res.statusCode = 307;
      res.setHeader('location', '/elsewhere');
      res.end();
    });
    const channel = createWebhookChannel({
      minSeverity: 'ERROR',
      url: `${receiver.origin}/`,
      headers: {},
      timeout: 1_000,
    });

    const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

    expect(error.message).toMatch(/^webhook: HTTP 307/);
  });

  it('rejects within its timeout when the receiver never answers', async () => {
    receiver = await startHttpServer(() => undefined);
    const channel = createWebhookChannel({
      minSeverity: 'ERROR',
      url: `${receiver.origin}/`,
      headers: {},
      timeout: 200,
    });

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(channel, makeAlert(), makeContext(), never),
    );

    expect(ms).toBeLessThan(1_500);
    expect(error.message).toBe(
      'webhook: timed out after 200 ms (alerts.channels.webhook.timeout), delivery abandoned',
    );
  });

  it('keeps the URL and header values out of the error when the receiver is down', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hooks?token=abc123secret`;
    const channel = createWebhookChannel({
      minSeverity: 'ERROR',
      url,
      headers: { authorization: 'Bearer s3cret' },
      timeout: 1_000,
    });

    const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

    expect(error.message).toMatch(/^webhook: request failed: fetch failed: .*ECONNREFUSED/);
    expect(error.cause).toBeDefined();
    expect(errorChainText(error)).not.toContain('abc123secret');
    expect(errorChainText(error)).not.toContain('s3cret');
  });
});
