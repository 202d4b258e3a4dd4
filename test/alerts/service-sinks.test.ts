/** The stand-ins refuse what their service would, so a channel test that passes shows a payload the service takes. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ServiceSink,
  startDiscordSink,
  startNtfySink,
  startPagerDutySink,
  startTeamsSink,
} from './service-sinks.js';

let sink: ServiceSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

async function postJson(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  await response.body?.cancel();
  return response.status;
}

describe('the service stand-ins', () => {
  it('Discord refuses an embed colour given as text and a message with neither content nor embeds', async () => {
    sink = await startDiscordSink();
    expect(
      await postJson(`${sink.origin}/api/webhooks/1/t`, { embeds: [{ title: 'x', color: '#ff0000' }] }),
    ).toBe(400);
    expect(await postJson(`${sink.origin}/api/webhooks/1/t`, { allowed_mentions: { parse: [] } })).toBe(400);
    expect(await postJson(`${sink.origin}/api/webhooks/1/t`, { content: 'ok' })).toBe(204);
    expect(sink.problems).toHaveLength(2);
  });

  it('PagerDuty refuses a trigger without a payload and an unknown severity', async () => {
    sink = await startPagerDutySink();
    const url = `${sink.origin}/v2/enqueue`;
    expect(await postJson(url, { routing_key: 'k', event_action: 'trigger', dedup_key: 'd' })).toBe(400);
    const payload = { summary: 's', source: 'x', severity: 'fatal' };
    expect(await postJson(url, { routing_key: 'k', event_action: 'trigger', payload })).toBe(400);
    expect(await postJson(url, { routing_key: 'k', event_action: 'resolve', dedup_key: 'd' })).toBe(202);
    expect(sink.problems).toHaveLength(2);
  });

  it('Teams refuses a card outside a message attachment', async () => {
    sink = await startTeamsSink();
    const card = { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'x' }] };
    expect(await postJson(`${sink.origin}/workflows/x`, card)).toBe(400);
    const message = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
    };
    expect(await postJson(`${sink.origin}/workflows/x`, message)).toBe(202);
    expect(sink.problems).toHaveLength(1);
  });

  it('ntfy refuses a raw non-ASCII title and a priority it does not know', async () => {
    sink = await startNtfySink('topic');
    const post = (headers: Record<string, string>) =>
      fetch(`${sink!.origin}/topic`, {
        method: 'POST',
        headers,
        body: 'hello',
        signal: AbortSignal.timeout(5_000),
      });
    expect((await post({ title: 'caf\u00e9' })).status).toBe(400);
    expect((await post({ priority: '9' })).status).toBe(400);
    expect((await post({ title: 'ok', priority: 'urgent' })).status).toBe(200);
    expect(sink.problems).toHaveLength(2);
  });
});
