/**
 * The Microsoft Teams channel: a Teams Workflows webhook ("Post to a channel when a webhook request
 * is received") given one Adaptive Card per alert — the subject line coloured by severity, the
 * alert's words, its facts as a FactSet, and buttons to the dashboard and Bull Board. Any answer
 * but 2xx (Workflows answers 202) fails it.
 */
import { assertNever, type Severity } from '../../mesh/types.js';
import { alertFacts, alertLinks, alertSubject, isWebUrl, truncate } from '../format.js';
import type { Alert } from '../types.js';
import { createJsonWebhookChannel, type JsonWebhookConfig, jsonWebhookPlugin } from './json-webhook.js';
import type { AlertChannel, AlertContext } from './plugin.js';

/** `alerts.channels.teams`: on when `webhookUrl` is set, which is secret whole. */
export const teamsChannel = jsonWebhookPlugin('teams', 'CRITICAL', teamsMessage);

export function createTeamsChannel(config: JsonWebhookConfig): AlertChannel<'teams'> {
  return createJsonWebhookChannel('teams', config, teamsMessage);
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
