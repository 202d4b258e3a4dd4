/**
 * Loopback stand-ins for Discord, PagerDuty, Microsoft Teams (Workflows) and ntfy. Each checks
 * every request against the payload its service documents — a request that does not fit is
 * answered as the service would (400) and noted in `problems` — and answers a good one as the
 * service does (Discord 204, PagerDuty 202 with its JSON, Workflows 202, ntfy 200 with the message).
 * Set `status` to make it answer something else.
 *
 * Shapes, from the services' public documentation:
 * - Discord, Execute Webhook: `{content?, embeds?: [{title, description, url?, timestamp, color,
 *   fields?: [{name, value, inline?}]}], allowed_mentions?}`; content or embeds; content ≤ 2000,
 *   title ≤ 256, description ≤ 4096, ≤ 25 fields of name ≤ 256 and value ≤ 1024, colour an RGB int.
 * - PagerDuty, Events API v2 (`/v2/enqueue`): `{routing_key, event_action: trigger|acknowledge|resolve,
 *   dedup_key (≤ 255, required unless trigger), payload (trigger only): {summary ≤ 1024, source,
 *   severity: critical|error|warning|info, timestamp?, component?, group?, class?, custom_details?},
 *   client?, client_url?, links?: [{href, text?}], images?}`.
 * - Teams Workflows webhook: `{type: "message", attachments: [{contentType:
 *   "application/vnd.microsoft.card.adaptive", contentUrl?, content: AdaptiveCard}]}`, the card
 *   `{$schema, type: "AdaptiveCard", version, body: [TextBlock | FactSet ...], actions?: [Action.OpenUrl]}`.
 * - ntfy, publish: `POST /<topic>` with the message as the body and headers `Title`, `Priority`
 *   (1–5 or min|low|default|high|max|urgent), `Tags` (comma-separated), `Click` (a URL),
 *   `Authorization: Bearer <token>`; header values ASCII or RFC 2047 encoded words.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { type ReceivedRequest, startHttpServer } from './helpers.js';

export interface ServiceSink {
  origin: string;
  /** Every request received. */
  requests: ReceivedRequest[];
  /** The requests answered 2xx. */
  accepted: ReceivedRequest[];
  /** What was wrong with each request that does not fit the service's documented payload. */
  problems: string[];
  /** Answer every request with this status (and a short error), whatever it holds; 0 = as the service. */
  status: number;
  close(): Promise<void>;
}

type Answer = { status: number; body: string; type?: string };
type Check = (request: ReceivedRequest) => { problem: string } | { answer: Answer };

async function startSink(check: Check, failureBody: (status: number) => string): Promise<ServiceSink> {
  const sink: ServiceSink = {
    origin: '',
    requests: [],
    accepted: [],
    problems: [],
    status: 0,
    close: async () => {},
  };
  const server = await startHttpServer((request: ReceivedRequest, response: ServerResponse) => {
    sink.requests.push(request);
    const checked = check(request);
    if ('problem' in checked) sink.problems.push(checked.problem);
    const answer =
      sink.status !== 0
        ? { status: sink.status, body: failureBody(sink.status) }
        : 'answer' in checked
          ? checked.answer
          : { status: 400, body: `{"message":"${checked.problem.replaceAll('"', "'")}"}` };
    if (answer.status < 300) sink.accepted.push(request);
    response.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
    response.end(answer.body);
  });
  sink.origin = server.origin;
  sink.close = server.close;
  return sink;
}

function jsonBody<T>(request: ReceivedRequest, schema: z.ZodType<T>): { value: T } | { problem: string } {
  if (request.method !== 'POST') return { problem: `method ${request.method}, not POST` };
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
    return { problem: `content-type ${String(request.headers['content-type'])}, not application/json` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return { problem: 'body is not JSON' };
  }
  const result = schema.safeParse(parsed);
  return result.success ? { value: result.data } : { problem: z.prettifyError(result.error) };
}

const isoTime = z.iso.datetime({ offset: true });
const webUrl = z.url({ protocol: /^https?$/ });

export const discordPayload = z
  .strictObject({
    content: z.string().max(2000).optional(),
    username: z.string().optional(),
    avatar_url: z.string().optional(),
    tts: z.boolean().optional(),
    embeds: z
      .array(
        z.strictObject({
          title: z.string().min(1).max(256).optional(),
          description: z.string().max(4096).optional(),
          url: webUrl.optional(),
          timestamp: isoTime.optional(),
          color: z.number().int().min(0).max(0xffffff).optional(),
          fields: z
            .array(
              z.strictObject({
                name: z.string().min(1).max(256),
                value: z.string().min(1).max(1024),
                inline: z.boolean().optional(),
              }),
            )
            .max(25)
            .optional(),
        }),
      )
      .max(10)
      .optional(),
    allowed_mentions: z.strictObject({ parse: z.array(z.enum(['roles', 'users', 'everyone'])) }).optional(),
  })
  .refine((message) => message.content !== undefined || (message.embeds?.length ?? 0) > 0, {
    message: 'content or embeds is required',
  });
export type DiscordPayload = z.output<typeof discordPayload>;

/** Discord's Execute Webhook: 204 without `?wait=true`. */
export function startDiscordSink(): Promise<ServiceSink> {
  return startSink(
    (request) => {
      const body = jsonBody(request, discordPayload);
      return 'problem' in body ? body : { answer: { status: 204, body: '' } };
    },
    (status) => `{"message":"error ${status}","code":0}`,
  );
}

const pagerdutyTrigger = z.strictObject({
  routing_key: z.string().min(1),
  event_action: z.literal('trigger'),
  dedup_key: z.string().min(1).max(255).optional(),
  payload: z.strictObject({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: isoTime.optional(),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  }),
  client: z.string().optional(),
  client_url: webUrl.optional(),
  links: z.array(z.strictObject({ href: webUrl, text: z.string().optional() })).optional(),
  images: z.array(z.object({ src: z.string() })).optional(),
});
const pagerdutyFollowUp = z.strictObject({
  routing_key: z.string().min(1),
  event_action: z.enum(['acknowledge', 'resolve']),
  dedup_key: z.string().min(1).max(255),
});
export const pagerdutyPayload = z.discriminatedUnion('event_action', [pagerdutyTrigger, pagerdutyFollowUp]);
export type PagerDutyPayload = z.output<typeof pagerdutyPayload>;

/**
 * PagerDuty's `/v2/enqueue`: 202 `{status, message, dedup_key}`; 400 `{status, message, errors}`
 * for an event it refuses. With `routingKey`, any other key is refused as PagerDuty does — the
 * answer quoting it, as a service's error text may.
 */
export function startPagerDutySink(routingKey?: string): Promise<ServiceSink> {
  return startSink(
    (request) => {
      if (request.url !== '/v2/enqueue') return { problem: `posted to ${request.url}, not /v2/enqueue` };
      const body = jsonBody(request, pagerdutyPayload);
      if ('problem' in body) return body;
      const event = body.value;
      if (routingKey !== undefined && event.routing_key !== routingKey) {
        const refusal = {
          status: 'invalid event',
          message: 'Event object is invalid',
          errors: [`bad routing_key ${event.routing_key}`],
        };
        return { answer: { status: 400, body: JSON.stringify(refusal) } };
      }
      const answer = {
        status: 'success',
        message: 'Event processed',
        dedup_key: event.dedup_key ?? 'generated',
      };
      return { answer: { status: 202, body: JSON.stringify(answer) } };
    },
    (status) =>
      JSON.stringify(
        status === 400
          ? { status: 'invalid event', message: 'Event object is invalid', errors: ['refused'] }
          : { status: 'unavailable', message: `error ${status}` },
      ),
  );
}

const cardElement = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('TextBlock'),
    text: z.string().min(1),
    wrap: z.boolean().optional(),
    weight: z.enum(['Default', 'Lighter', 'Bolder']).optional(),
    size: z.enum(['Default', 'Small', 'Medium', 'Large', 'ExtraLarge']).optional(),
    color: z.enum(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']).optional(),
  }),
  z.object({
    type: z.literal('FactSet'),
    facts: z.array(z.strictObject({ title: z.string(), value: z.string() })).min(1),
  }),
]);
export const teamsPayload = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.string().nullable().optional(),
        content: z.strictObject({
          $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json').optional(),
          type: z.literal('AdaptiveCard'),
          version: z.string().regex(/^1\.\d$/),
          body: z.array(cardElement).min(1),
          actions: z
            .array(
              z.strictObject({ type: z.literal('Action.OpenUrl'), title: z.string().min(1), url: webUrl }),
            )
            .optional(),
        }),
      }),
    )
    .length(1),
});
export type TeamsPayload = z.output<typeof teamsPayload>;

/** A Teams Workflows HTTP trigger: 202, no body. */
export function startTeamsSink(): Promise<ServiceSink> {
  return startSink(
    (request) => {
      const body = jsonBody(request, teamsPayload);
      return 'problem' in body ? body : { answer: { status: 202, body: '' } };
    },
    (status) => `{"error":{"code":"Error${status}","message":"error ${status}"}}`,
  );
}

const PRIORITIES = ['1', '2', '3', '4', '5', 'min', 'low', 'default', 'high', 'max', 'urgent'];
const HEADER_TEXT = /^([\x20-\x7e]*|=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)$/;

/** An ntfy server with one topic; with `token`, the topic is protected (401 without it, as ntfy). */
export function startNtfySink(topic: string, token?: string): Promise<ServiceSink> {
  return startSink(
    (request) => {
      const { headers } = request;
      if (request.method !== 'POST' && request.method !== 'PUT')
        return { problem: `method ${request.method}` };
      if (request.url !== `/${topic}`) return { problem: `posted to ${request.url}, not the topic` };
      if (request.body === '') return { problem: 'no message' };
      const priority = headers.priority;
      if (priority !== undefined && !PRIORITIES.includes(String(priority)))
        return { problem: `priority ${priority}` };
      for (const name of ['title', 'tags', 'click']) {
        const value = headers[name];
        if (value !== undefined && !HEADER_TEXT.test(String(value)))
          return { problem: `${name} not ASCII or RFC 2047` };
      }
      if (headers.click !== undefined && !webUrl.safeParse(headers.click).success)
        return { problem: 'click not a URL' };
      if (token !== undefined && headers.authorization !== `Bearer ${token}`) {
        return { answer: { status: 401, body: '{"code":40101,"http":401,"error":"unauthorized"}' } };
      }
      const message = { id: 'x1', time: 1, event: 'message', topic, message: request.body };
      return { answer: { status: 200, body: JSON.stringify(message) } };
    },
    (status) => `{"code":${status}00,"http":${status},"error":"error ${status}"}`,
  );
}

/** RFC 2047 `=?UTF-8?B?...?=` decoded; other text as it is. */
export function decodeHeader(value: string | string[] | undefined): string {
  const text = String(value ?? '');
  const encoded = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(text)?.[1];
  return encoded === undefined ? text : Buffer.from(encoded, 'base64').toString('utf8');
}

export function json<T>(request: ReceivedRequest | undefined): T {
  if (!request) throw new Error('no request');
  return JSON.parse(request.body) as T;
}
