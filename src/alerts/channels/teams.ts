/**
 * The Microsoft Teams channel: a Teams Workflows webhook ("Post to a channel when a webhook request
 * is received") given one Adaptive Card per alert — the subject line coloured by severity, the
 * alert's words, its facts as a FactSet, and buttons to the dashboard and Bull Board. Any answer
 * but 2xx (Workflows answers 202) fails it.
 */
import type * as z from 'zod';
import { assertNever, type Severity } from '../../mesh/types.js';
import { HTTP, url } from '../../values/fields.js';
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

const teamsSettings = channelSettings('CRITICAL', {
  /** The workflow's HTTP trigger URL (it carries its signature): a secret, never quoted in errors or logs. */
  webhookUrl: url(HTTP, { optional: true }).prefault(''),
});
export type TeamsChannelConfig = z.output<typeof teamsSettings>;

/** `alerts.channels.teams`: on when `webhookUrl` is set, which is secret whole. */
export const teamsChannel = defineChannel({
  name: 'teams',
  settings: teamsSettings,
  secrets: { webhookUrl: 'whole' },
  onWhenSet: ['webhookUrl'],
  create: (settings) => {
    requireWebUrl(settings.webhookUrl, 'alerts.channels.teams.webhookUrl');
    return createTeamsChannel(settings);
  },
});

export function createTeamsChannel(config: TeamsChannelConfig): AlertChannel<'teams'> {
  const secrets = [config.webhookUrl];
  return {
    name: 'teams',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      const request = {
        channel: 'teams',
        url: config.webhookUrl,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(teamsMessage(alert, context)),
        secrets,
      };
      const answer = await post(request, signal);
      if (!answer.ok) throw new Error(answerError(request, answer));
    },
  };
}

type CardElement =
  | { type: 'TextBlock'; text: string; wrap: true; weight?: 'Bolder'; size?: 'Medium'; color?: CardColor }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };
type CardColor = 'Accent' | 'Warning' | 'Attention';

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  body: CardElement[];
  actions?: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive'; content: AdaptiveCard }];
}

/** The message a Workflows webhook posts as a card. */
export function teamsMessage(alert: Alert, context: AlertContext): TeamsMessage {
  const card: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      {
        type: 'TextBlock',
        text: alertSubject(alert, context.nodeName),
        wrap: true,
        weight: 'Bolder',
        size: 'Medium',
        color: severityColor(alert.severity),
      },
      { type: 'TextBlock', text: truncate(alert.title, 500), wrap: true, weight: 'Bolder' },
      { type: 'TextBlock', text: truncate(alert.message, 3000), wrap: true },
      {
        type: 'FactSet',
        facts: alertFacts(alert, context).map((fact) => ({
          title: fact.label,
          value: truncate(fact.value, 1000),
        })),
      },
    ],
  };
  const links = alertLinks(context).filter((link) => isWebUrl(link.value));
  if (links.length > 0) {
    card.actions = links.map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.value }));
  }
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  };
}

/** The subject line's colour: Accent (blue), Warning (amber), Attention (red). */
export function severityColor(severity: Severity): CardColor {
  switch (severity) {
    case 'INFO':
      return 'Accent';
    case 'WARNING':
      return 'Warning';
    case 'ERROR':
    case 'CRITICAL':
      return 'Attention';
    default:
      return assertNever(severity);
  }
}
