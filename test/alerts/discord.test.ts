import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createDiscordChannel, discordMessage, severityColor } from '../../src/alerts/channels/discord.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';
import {
  type DiscordPayload,
  discordPayload,
  json,
  type ServiceSink,
  startDiscordSink,
} from './service-sinks.js';

const SECRET_PATH = '/api/webhooks/112233445566/discordTokenXYZ-secret';
const never = new AbortController().signal;

let sink: ServiceSink | undefined;
let server: LoopbackHttpServer | undefined;
afterEach(async () => {
  await sink?.close();
  await server?.close();
  sink = undefined;
  server = undefined;
});

function channel(webhookUrl: string, timeout = 1_000) {
  return createDiscordChannel({ minSeverity: 'CRITICAL', webhookUrl, timeout });
}

describe('the Discord channel', () => {
  it('posts one embed coloured by severity, as Discord documents it, and takes its 204', async () => {
    sink = await startDiscordSink();
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'recovery_failed' });

    await channel(`${sink.origin}${SECRET_PATH}`).send(alert, makeContext(), never);

    expect(sink.problems).toEqual([]);
    expect(sink.accepted).toHaveLength(1);
    expect(sink.requests[0]?.url).toBe(SECRET_PATH);
    const body = json<DiscordPayload>(sink.requests[0]);
    expect(body.content).toBe('[gpu-mesh] CRITICAL recovery_failed: Local Ollama (local)');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds?.[0]).toMatchObject({
      title: alert.title,
      description: alert.message,
      color: 0xe74c3c,
      url: 'http://127.0.0.1:3000/',
      timestamp: alert.at,
    });
    const fields = body.embeds?.[0]?.fields ?? [];
    expect(fields.map((field) => field.name)).toEqual([
      'Node',
      'Severity',
      'Status',
      'Last error',
      'Incident',
      'Incident started',
      'At',
      'Links',
    ]);
    expect(fields.at(-1)?.value).toBe(
      '[Dashboard](http://127.0.0.1:3000/) · [Bull Board](http://127.0.0.1:3000/board)',
    );
  });

  it.each([
    ['INFO', 0x3498db],
    ['WARNING', 0xf1c40f],
    ['ERROR', 0xe67e22],
    ['CRITICAL', 0xe74c3c],
  ] as const)('colours a %s alert %i', (severity, colour) => {
    expect(severityColor(severity)).toBe(colour);
    expect(discordMessage(makeAlert({ severity }), makeContext()).embeds[0].color).toBe(colour);
  });

  it("keeps within Discord's limits however long the alert, and names the mesh for a mesh-wide alert", () => {
    const alert = makeAlert({
      kind: 'mass_failure',
      severity: 'CRITICAL',
      nodeId: null,
      incidentId: null,
      title: 't'.repeat(400),
      message: 'm'.repeat(10_000),
    });
    const message = discordMessage(
      alert,
      makeContext({ nodeName: null, lastError: 'e'.repeat(5_000), dashboardUrl: '' }),
    );
    expect(discordPayload.safeParse(message).success).toBe(true);
    expect(message.content).toBe('[gpu-mesh] CRITICAL mass_failure: mesh');
    expect(message.embeds[0].url).toBeUndefined();
  });

  it.each([400, 404, 429, 500])(
    'rejects an answer %i with its status and without the webhook URL',
    async (status) => {
      sink = await startDiscordSink();
      sink.status = status;

      const { error } = await timedRejection(() =>
        channel(`${sink!.origin}${SECRET_PATH}`).send(makeAlert(), makeContext(), never),
      );

      expect(error.message).toMatch(new RegExp(`^discord: HTTP ${status}: `));
      expect(errorChainText(error)).not.toContain('discordTokenXYZ-secret');
    },
  );

  it('rejects within its timeout when Discord never answers', async () => {
    server = await startHttpServer(() => undefined);
    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(
        channel(`${server!.origin}${SECRET_PATH}`, 200),
        makeAlert(),
        makeContext(),
        never,
      ),
    );
    expect(ms).toBeLessThan(1_500);
    expect(error.message).toBe(
      'discord: timed out after 200 ms (alerts.channels.discord.timeout), delivery abandoned',
    );
  });

  it('keeps the URL out of the error when Discord cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}${SECRET_PATH}`;
    const { error } = await timedRejection(() => channel(url).send(makeAlert(), makeContext(), never));
    expect(error.message).toMatch(/^discord: request failed: .*ECONNREFUSED/);
    expect(errorChainText(error)).not.toContain('discordTokenXYZ-secret');
  });
});
