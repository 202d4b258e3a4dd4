import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createNtfyChannel, headerText, ntfyMessage, ntfyPriority } from '../../src/alerts/channels/ntfy.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';
import { decodeHeader, type ServiceSink, startNtfySink } from './service-sinks.js';

const TOPIC = 'gpu-alerts-ntfyTopic7x';
const TOKEN = 'tk_ntfytokensecret0000000000';
const never = new AbortController().signal;

let sink: ServiceSink | undefined;
let server: LoopbackHttpServer | undefined;
afterEach(async () => {
  await sink?.close();
  await server?.close();
  sink = undefined;
  server = undefined;
});

function channel(url: string, token = TOKEN, timeout = 1_000) {
  return createNtfyChannel({ minSeverity: 'WARNING', url, token, timeout });
}

describe('the ntfy channel', () => {
  it('posts the message text to the topic with Title, Priority, Tags, Click and the token, as ntfy documents it', async () => {
    sink = await startNtfySink(TOPIC, TOKEN);
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'down_too_long' });

    await channel(`${sink.origin}/${TOPIC}`).send(alert, makeContext(), never);

    expect(sink.problems).toEqual([]);
    expect(sink.accepted).toHaveLength(1);
    const request = sink.requests[0]!;
    expect(request.headers).toMatchObject({
      title: '[gpu-mesh] CRITICAL down_too_long: Local Ollama (local)',
      priority: '5',
      tags: 'rotating_light,gpu-mesh,down_too_long',
      click: 'http://127.0.0.1:3000/',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(request.headers['content-type']).toMatch(/^text\/plain/);
    expect(request.body.split('\n').slice(0, 3)).toEqual([alert.title, '', alert.message]);
  });

  it.each([
    ['CRITICAL', 5],
    ['ERROR', 4],
    ['WARNING', 3],
    ['INFO', 2],
  ] as const)('sends a %s alert at priority %i', (severity, priority) => {
    expect(ntfyPriority(severity)).toBe(priority);
    expect(ntfyMessage(makeAlert({ severity }), makeContext(), '').headers.priority).toBe(String(priority));
  });

  it('sends no Authorization without a token, and marks a recovery with a check mark', () => {
    const { headers } = ntfyMessage(makeAlert({ kind: 'recovered', severity: 'INFO' }), makeContext(), '');
    expect(headers.authorization).toBeUndefined();
    expect(headers.tags).toBe('white_check_mark,gpu-mesh,recovered');
  });

  it('encodes a title that is not ASCII as RFC 2047, which ntfy decodes', async () => {
    sink = await startNtfySink(TOPIC, TOKEN);
    await channel(`${sink.origin}/${TOPIC}`).send(
      makeAlert(),
      makeContext({ nodeName: 'GPU 東京\nrack 2' }),
      never,
    );
    expect(sink.problems).toEqual([]);
    expect(decodeHeader(sink.requests[0]?.headers.title)).toBe(
      '[gpu-mesh] ERROR unhealthy: GPU 東京 rack 2 (local)',
    );
    expect(headerText('plain')).toBe('plain');
  });

  it.each([401, 429, 500, 507])(
    'rejects an answer %i with its status and without the topic or token',
    async (status) => {
      sink = await startNtfySink(TOPIC, TOKEN);
      sink.status = status;

      const { error } = await timedRejection(() =>
        channel(`${sink!.origin}/${TOPIC}`).send(makeAlert(), makeContext(), never),
      );

      expect(error.message).toMatch(new RegExp(`^ntfy: HTTP ${status}: `));
      expect(errorChainText(error)).not.toContain(TOPIC);
      expect(errorChainText(error)).not.toContain(TOKEN);
    },
  );

  it('is refused by a protected topic without the right token', async () => {
    sink = await startNtfySink(TOPIC, TOKEN);
    const { error } = await timedRejection(() =>
      channel(`${sink!.origin}/${TOPIC}`, 'tk_wrongtoken000000').send(makeAlert(), makeContext(), never),
    );
    expect(error.message).toMatch(/^ntfy: HTTP 401: .*unauthorized/);
    expect(errorChainText(error)).not.toContain('tk_wrongtoken000000');
  });

  it('rejects within its timeout when ntfy never answers', async () => {
    server = await startHttpServer(() => undefined);
    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(
        channel(`${server!.origin}/${TOPIC}`, TOKEN, 200),
        makeAlert(),
        makeContext(),
        never,
      ),
    );
    expect(ms).toBeLessThan(1_500);
    expect(error.message).toBe(
      'ntfy: timed out after 200 ms (alerts.channels.ntfy.timeout), delivery abandoned',
    );
  });

  it('keeps the topic and token out of the error when ntfy cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/${TOPIC}`;
    const { error } = await timedRejection(() => channel(url).send(makeAlert(), makeContext(), never));
    expect(error.message).toMatch(/^ntfy: request failed: .*ECONNREFUSED/);
    expect(errorChainText(error)).not.toContain(TOPIC);
    expect(errorChainText(error)).not.toContain(TOKEN);
  });
});
