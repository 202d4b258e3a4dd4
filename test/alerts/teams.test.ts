import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import { createTeamsChannel, severityColor, teamsMessage } from '../../src/alerts/channels/teams.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';
import { json, type ServiceSink, startTeamsSink, type TeamsPayload, teamsPayload } from './service-sinks.js';

const SECRET_PATH =
  '/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=teamsSigXYZ-secret';
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
  return createTeamsChannel({ minSeverity: 'CRITICAL', webhookUrl, timeout });
}

describe('the Teams channel', () => {
  it('posts one Adaptive Card in a message, as the Workflows webhook takes it, and takes its 202', async () => {
    sink = await startTeamsSink();
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'recovery_failed' });

    await channel(`${sink.origin}${SECRET_PATH}`).send(alert, makeContext(), never);

    expect(sink.problems).toEqual([]);
    expect(sink.accepted).toHaveLength(1);
    expect(sink.requests[0]?.url).toBe(SECRET_PATH);
    const body = json<TeamsPayload>(sink.requests[0]);
    expect(body.type).toBe('message');
    const card = body.attachments[0]?.content;
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
    });
    expect(card?.body[0]).toEqual({
      type: 'TextBlock',
      text: '[gpu-mesh] CRITICAL recovery_failed: Local Ollama (local)',
      wrap: true,
      weight: 'Bolder',
      size: 'Medium',
      color: 'Attention',
    });
    expect(card?.body.map((element) => element.type)).toEqual([
      'TextBlock',
      'TextBlock',
      'TextBlock',
      'FactSet',
    ]);
    expect(card?.body[3]).toMatchObject({
      facts: expect.arrayContaining([{ title: 'Incident', value: 'local:1767225600000' }]),
    });
    expect(card?.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Dashboard', url: 'http://127.0.0.1:3000/' },
      { type: 'Action.OpenUrl', title: 'Bull Board', url: 'http://127.0.0.1:3000/board' },
    ]);
  });

  it.each([
    ['INFO', 'Accent'],
    ['WARNING', 'Warning'],
    ['ERROR', 'Attention'],
    ['CRITICAL', 'Attention'],
  ] as const)('colours a %s alert %s', (severity, colour) => {
    expect(severityColor(severity)).toBe(colour);
  });

  it('leaves out the buttons when there is no web link, and stays a card Teams takes', () => {
    const message = teamsMessage(makeAlert(), makeContext({ dashboardUrl: '', boardUrl: '' }));
    expect(message.attachments[0].content.actions).toBeUndefined();
    expect(teamsPayload.safeParse(message).success).toBe(true);
  });

  it.each([400, 429, 500, 502])(
    'rejects an answer %i with its status and without the webhook URL',
    async (status) => {
      sink = await startTeamsSink();
      sink.status = status;

      const { error } = await timedRejection(() =>
        channel(`${sink!.origin}${SECRET_PATH}`).send(makeAlert(), makeContext(), never),
      );

      expect(error.message).toMatch(new RegExp(`^teams: HTTP ${status}: `));
      expect(errorChainText(error)).not.toContain('teamsSigXYZ-secret');
    },
  );

  it('rejects within its timeout when the workflow never answers', async () => {
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
      'teams: timed out after 200 ms (alerts.channels.teams.timeout), delivery abandoned',
    );
  });

  it('keeps the URL out of the error when the workflow cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}${SECRET_PATH}`;
    const { error } = await timedRejection(() => channel(url).send(makeAlert(), makeContext(), never));
    expect(error.message).toMatch(/^teams: request failed: .*ECONNREFUSED/);
    expect(errorChainText(error)).not.toContain('teamsSigXYZ-secret');
  });
});
