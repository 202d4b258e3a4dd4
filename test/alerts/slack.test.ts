import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createSlackChannel, slackMessage } from '../../src/alerts/channels/slack.js';
import { alertSubject } from '../../src/alerts/format.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';

const SECRET_PATH = '/services/T0000/B0000/XXXXsecretXXXX';
const never = new AbortController().signal;

let slack: LoopbackHttpServer | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

describe('the Slack channel', () => {
  it('posts blocks with the e-mail subject as the text fallback', async () => {
    slack = await startHttpServer((_, res) => res.end('ok'));
    const channel = createSlackChannel({
      minSeverity: 'CRITICAL',
      webhookUrl: `${slack.origin}${SECRET_PATH}`,
      timeout: 1_000,
    });
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'recovery_failed' });

    await channel.send(alert, makeContext(), never);
    const request = await slack.nextRequest();

    expect(request.method).toBe('POST');
    expect(request.url).toBe(SECRET_PATH);
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as { text: string; blocks: Array<{ type: string }> };
    expect(body.text).toBe('[gpu-mesh] CRITICAL recovery_failed: Local Ollama (local)');
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(request.body).toContain('🚨');
    expect(request.body).toContain('connect ECONNREFUSED 127.0.0.1:11434');
    expect(request.body).toContain('<http://127.0.0.1:3000/board|Bull Board>');
  });

  it('rejects when Slack answers 500, with the status and without the webhook URL', async () => {
    slack = await startHttpServer((_, res) => {
      res.statusCode = 500;
      res.end('internal_error');
    });
    const webhookUrl = `${slack.origin}${SECRET_PATH}`;
    const channel = createSlackChannel({ minSeverity: 'INFO', webhookUrl, timeout: 1_000 });

    const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

    expect(error.message).toBe('slack: HTTP 500 from the webhook: internal_error');
    expect(errorChainText(error)).not.toContain('XXXXsecretXXXX');
    await slack.nextRequest();
  });

  it('rejects within its timeout when Slack never answers', async () => {
    slack = await startHttpServer(() => undefined);
    const channel = createSlackChannel({
      minSeverity: 'INFO',
      webhookUrl: `${slack.origin}${SECRET_PATH}`,
      timeout: 200,
    });

    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(channel, makeAlert(), makeContext(), never),
    );

    expect(ms).toBeLessThan(1_500);
    expect(error.message).toBe(
      'slack: timed out after 200 ms (alerts.channels.slack.timeout), delivery abandoned',
    );
    expect(errorChainText(error)).not.toContain('XXXXsecretXXXX');
  });

  it('stops a delivery when its signal aborts', async () => {
    slack = await startHttpServer(() => undefined);
    const channel = createSlackChannel({
      minSeverity: 'INFO',
      webhookUrl: `${slack.origin}${SECRET_PATH}`,
      timeout: 5_000,
    });

    const { error, ms } = await timedRejection(() =>
      channel.send(makeAlert(), makeContext(), AbortSignal.timeout(200)),
    );

    expect(ms).toBeLessThan(1_500);
    expect(error.message).toMatch(/^slack: request failed/);
  });

  it('keeps the URL out of the error when Slack cannot be reached', async () => {
    const webhookUrl = `http://127.0.0.1:${await closedPort()}${SECRET_PATH}`;
    const channel = createSlackChannel({ minSeverity: 'INFO', webhookUrl, timeout: 1_000 });

    const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

    expect(error.message).toMatch(/^slack: request failed: .*ECONNREFUSED/);
    expect(errorChainText(error)).not.toContain('XXXXsecretXXXX');
  });

  it('keeps even a malformed URL, which fetch would quote, out of the error', async () => {
    const channel = createSlackChannel({
      minSeverity: 'INFO',
      webhookUrl: 'hooks XXXXsecretXXXX',
      timeout: 1_000,
    });

    const { error } = await timedRejection(() => channel.send(makeAlert(), makeContext(), never));

    expect(error.message).toMatch(/^slack: request failed/);
    expect(errorChainText(error)).not.toContain('XXXXsecretXXXX');
  });
});

describe('slackMessage', () => {
  it('always sets the text fallback, for a mesh-wide alert too', () => {
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'mass_failure', nodeId: null, incidentId: null });
    const message = slackMessage(alert, makeContext({ nodeName: null }));
    expect(message.text).toBe(alertSubject(alert, null));
    expect(message.text).toBe('[gpu-mesh] CRITICAL mass_failure: mesh');
  });

  it.each([
    ['INFO', 'ℹ️'],
    ['WARNING', '⚠️'],
    ['ERROR', '🔴'],
    ['CRITICAL', '🚨'],
  ] as const)('marks a %s alert with %s in its header', (severity, emoji) => {
    const message = slackMessage(makeAlert({ severity }), makeContext());
    expect(JSON.stringify(message.blocks[0])).toContain(`${emoji} ${severity}`);
  });

  it('escapes Slack control characters in what the alert says', () => {
    const message = slackMessage(makeAlert({ message: '<!channel> & <http://evil|click>' }), makeContext());
    const section = JSON.stringify(message.blocks[1]);
    expect(section).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(section).not.toContain('<!channel>');
  });
});
