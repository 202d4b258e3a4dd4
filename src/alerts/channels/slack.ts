import { IncomingWebhook, IncomingWebhookHTTPError, type IncomingWebhookSendArguments } from '@slack/webhook';
import type * as z from 'zod';
import { assertNever, type Severity } from '../../mesh/types.js';
import { HTTP, url } from '../../values/fields.js';
import { alertFacts, alertLinks, alertSubject, alertTarget, isWebUrl, truncate } from '../format.js';
import type { Alert } from '../types.js';
import { deliveryError, safeMessage } from './errors.js';
import {
  type AlertChannel,
  type AlertContext,
  channelSettings,
  defineChannel,
  requireWebUrl,
} from './plugin.js';

const slackSettings = channelSettings('CRITICAL', {
  /** The incoming-webhook URL: a secret, never quoted in errors or logs. */
  webhookUrl: url(HTTP, { optional: true }).prefault(''),
});
export type SlackChannelConfig = z.output<typeof slackSettings>;

/** `alerts.channels.slack`: on when `webhookUrl` is set, which is secret whole. */
export const slackChannel = defineChannel({
  name: 'slack',
  settings: slackSettings,
  secrets: { webhookUrl: 'whole' },
  onWhenSet: ['webhookUrl'],
  create: (settings) => {
    requireWebUrl(settings.webhookUrl, 'alerts.channels.slack.webhookUrl');
    return createSlackChannel(settings);
  },
});

type SlackMessage = IncomingWebhookSendArguments & { text: string; blocks: SlackBlock[] };
type SlackBlock = NonNullable<IncomingWebhookSendArguments['blocks']>[number];

/**
 * The Slack channel: a Block Kit message through an incoming webhook. `text` is always the e-mail
 * subject line, which is what notifications and clients without blocks show. The client retries
 * nothing (`retryConfig` defaults to none): retries belong to the notify job.
 */
export function createSlackChannel(config: SlackChannelConfig): AlertChannel<'slack'> {
  const secrets = [config.webhookUrl];
  return {
    name: 'slack',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      // @slack/webhook v8 posts with fetch and reads the answer's body under the same signal: the
      // injected fetch gives it the delivery's, which bounds the whole exchange, body included.
      const webhook = new IncomingWebhook(config.webhookUrl, {
        fetch: (url, init) => fetch(url, { ...init, signal }),
      });
      try {
        await webhook.send(slackMessage(alert, context));
      } catch (error) {
        if (error instanceof IncomingWebhookHTTPError) {
          const body = safeMessage(error.body.trim().slice(0, 200), secrets);
          const said = body === '' ? '' : `: ${body}`;
          throw deliveryError(`slack: HTTP ${error.statusCode} from the webhook${said}`, error, secrets);
        }
        throw deliveryError(`slack: request failed: ${safeMessage(error, secrets)}`, error, secrets);
      }
    },
  };
}

/** The message posted for an alert: a header, the alert's words, its facts as fields and the links. */
export function slackMessage(alert: Alert, context: AlertContext): SlackMessage {
  const header = `${severityEmoji(alert.severity)} ${alert.severity} ${alert.kind}: ${alertTarget(alert, context.nodeName)}`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(header, 150), emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(alert.title)}*\n${escapeMrkdwn(alert.message)}`, 3000),
      },
    },
    {
      type: 'section',
      fields: alertFacts(alert, context)
        .slice(0, 10)
        .map((fact) => ({
          type: 'mrkdwn',
          text: truncate(`*${fact.label}*\n${escapeMrkdwn(fact.value)}`, 2000),
        })),
    },
  ];
  const links = alertLinks(context).filter((link) => isWebUrl(link.value));
  if (links.length > 0) {
    const text = links.map((link) => `<${escapeMrkdwn(link.value)}|${link.label}>`).join(' · ');
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
  }
  return { text: alertSubject(alert, context.nodeName), blocks };
}

export function severityEmoji(severity: Severity): string {
  switch (severity) {
    case 'INFO':
      return 'ℹ️';
    case 'WARNING':
      return '⚠️';
    case 'ERROR':
      return '🔴';
    case 'CRITICAL':
      return '🚨';
    default:
      return assertNever(severity);
  }
}

/** Slack's mrkdwn treats `&`, `<` and `>` as control characters; everything else is literal enough. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
