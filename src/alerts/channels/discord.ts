/**
 * The Discord channel: one message per alert through a channel webhook ("Execute Webhook"): the
 * subject line as `content` (what a notification shows) and one embed coloured by severity with
 * the alert's words, its facts as fields and the links. Mentions are never parsed, so an error
 * text that says `@everyone` pings nobody. Any answer but 2xx (Discord answers 204) fails it.
 */
import { assertNever, type Severity } from '../../mesh/types.js';
import { alertFacts, alertLinks, alertSubject, isWebUrl, truncate } from '../format.js';
import type { Alert } from '../types.js';
import { createJsonWebhookChannel, type JsonWebhookConfig, jsonWebhookPlugin } from './json-webhook.js';
import type { AlertChannel, AlertContext } from './plugin.js';

/** `alerts.channels.discord`: on when `webhookUrl` is set, which is secret whole. */
export const discordChannel = jsonWebhookPlugin('discord', 'CRITICAL', discordMessage);

export function createDiscordChannel(config: JsonWebhookConfig): AlertChannel<'discord'> {
  return createJsonWebhookChannel('discord', config, discordMessage);
}

export interface DiscordEmbed {
  title: string;
  description: string;
  color: number;
  url?: string;
  timestamp: string;
  fields: { name: string; value: string; inline: boolean }[];
}

export interface DiscordMessage {
  content: string;
  embeds: [DiscordEmbed];
  allowed_mentions: { parse: [] };
}

/** Discord's limits: content 2000, title 256, description 4096 (kept well under the 6000 of a whole embed), fields 25 × 1024. */
export function discordMessage(alert: Alert, context: AlertContext): DiscordMessage {
  const fields = alertFacts(alert, context).map((fact) => ({
    name: truncate(fact.label, 256),
    value: truncate(fact.value === '' ? '-' : fact.value, 1024),
    inline: fact.label !== 'Last error',
  }));
  const links = alertLinks(context).filter((link) => isWebUrl(link.value));
  if (links.length > 0) {
    const value = links.map((link) => `[${link.label}](${link.value})`).join(' · ');
    fields.push({ name: 'Links', value: truncate(value, 1024), inline: false });
  }
  const embed: DiscordEmbed = {
    title: truncate(alert.title, 256),
    description: truncate(alert.message, 3000),
    color: severityColor(alert.severity),
    timestamp: alert.at,
    fields: fields.slice(0, 25),
  };
  if (isWebUrl(context.dashboardUrl)) embed.url = context.dashboardUrl;
  return {
    content: truncate(alertSubject(alert, context.nodeName), 2000),
    embeds: [embed],
    allowed_mentions: { parse: [] },
  };
}

/** The embed's colour: blue, amber, orange, red. */
export function severityColor(severity: Severity): number {
  switch (severity) {
    case 'INFO':
      return 0x3498db;
    case 'WARNING':
      return 0xf1c40f;
    case 'ERROR':
      return 0xe67e22;
    case 'CRITICAL':
      return 0xe74c3c;
    default:
      return assertNever(severity);
  }
}
