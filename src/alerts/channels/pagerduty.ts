/**
 * The PagerDuty channel: PagerDuty's Events API v2. An alert is a `trigger` whose `dedup_key` is
 * its incident id (the alert id for an alert outside an incident), so every alert of an incident
 * updates one PagerDuty alert; the incident's `recovered` is a `resolve` of that key. 2xx (PagerDuty
 * answers 202) delivers; 429 and 5xx are retried with the notify job's backoff; 400 means PagerDuty
 * refused the event itself (a bad routing key, a bad field), which no retry changes.
 */
import { UnrecoverableError } from 'bullmq';
import * as z from 'zod';
import { assertNever, type Severity } from '../../mesh/types.js';
import { HTTP, url } from '../../values/fields.js';
import { urlCredentials } from '../../values/redaction.js';
import { alertFacts, alertLinks, alertSubject, isWebUrl, truncate } from '../format.js';
import type { Alert } from '../types.js';
import { answerError, post } from './http-post.js';
import {
  type AlertChannel,
  type AlertContext,
  channelSettings,
  defineChannel,
  requireWebUrl,
} from './plugin.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const pagerdutySettings = channelSettings('CRITICAL', {
  /** The integration key of an Events API v2 integration: a secret. */
  routingKey: z.string().prefault(''),
  /** Where events go; another URL only for a proxy or a test. */
  url: url(HTTP).prefault(PAGERDUTY_EVENTS_URL),
});
export type PagerDutyChannelConfig = z.output<typeof pagerdutySettings>;

/** `alerts.channels.pagerduty`: on when `routingKey` is set, which is secret (as is any user:password of `url`). */
export const pagerdutyChannel = defineChannel({
  name: 'pagerduty',
  settings: pagerdutySettings,
  secrets: { routingKey: 'whole', url: 'credentials' },
  onWhenSet: ['routingKey'],
  create: (settings) => {
    requireWebUrl(settings.url, 'alerts.channels.pagerduty.url');
    return createPagerDutyChannel(settings);
  },
});

export function createPagerDutyChannel(config: PagerDutyChannelConfig): AlertChannel<'pagerduty'> {
  const secrets = [config.routingKey, ...urlCredentials(config.url)];
  return {
    name: 'pagerduty',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      const request = {
        channel: 'pagerduty',
        url: config.url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pagerdutyEvent(alert, context, config.routingKey)),
        secrets,
      };
      const answer = await post(request, signal);
      if (answer.ok) return;
      const error = answerError(request, answer);
      if (answer.status === 400)
        throw new UnrecoverableError(`${error} (the event was refused; a retry cannot help)`);
      throw new Error(error);
    },
  };
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    class: string;
    custom_details: Record<string, string>;
  };
  client: string;
  client_url?: string;
  links: { href: string; text: string }[];
}

export interface PagerDutyResolve {
  routing_key: string;
  event_action: 'resolve';
  dedup_key: string;
}

/** PagerDuty's limits: `dedup_key` 255 characters, `summary` 1024. */
export function pagerdutyEvent(
  alert: Alert,
  context: AlertContext,
  routingKey: string,
): PagerDutyTrigger | PagerDutyResolve {
  const dedupKey = truncate(alert.incidentId ?? alert.id, 255);
  if (alert.kind === 'recovered') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const links = alertLinks(context).filter((link) => isWebUrl(link.value));
  const details: Record<string, string> = { title: alert.title, message: alert.message, alert: alert.id };
  for (const fact of alertFacts(alert, context)) details[fact.label] = fact.value;
  const event: PagerDutyTrigger = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(alertSubject(alert, context.nodeName), 1024),
      source: alert.nodeId ?? 'gpu-mesh',
      severity: pagerdutySeverity(alert.severity),
      timestamp: alert.at,
      class: alert.kind,
      custom_details: details,
    },
    client: 'gpu-mesh',
    links: links.map((link) => ({ href: link.value, text: link.label })),
  };
  if (alert.nodeId !== null) event.payload.component = 'ollama';
  if (isWebUrl(context.dashboardUrl)) event.client_url = context.dashboardUrl;
  return event;
}

export function pagerdutySeverity(severity: Severity): PagerDutySeverity {
  switch (severity) {
    case 'INFO':
      return 'info';
    case 'WARNING':
      return 'warning';
    case 'ERROR':
      return 'error';
    case 'CRITICAL':
      return 'critical';
    default:
      return assertNever(severity);
  }
}
