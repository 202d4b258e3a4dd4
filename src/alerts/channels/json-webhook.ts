/**
 * What Discord and Teams have in common: a channel on when its `webhookUrl` is set (a secret
 * whole: the URL carries the token or signature), that posts one JSON message per alert to it and
 * fails on any answer but 2xx. Each of them gives only its name, its default severity and its message.
 */
import type { Severity } from '../../mesh/types.js';
import { HTTP, url } from '../../values/fields.js';
import type { Alert } from '../types.js';
import { answerError, post } from './http-post.js';
import {
  type AlertChannel,
  type AlertContext,
  channelSettings,
  defineChannel,
  requireWebUrl,
} from './plugin.js';

export interface JsonWebhookConfig {
  minSeverity: Severity;
  webhookUrl: string;
  timeout: number;
}

type Message = (alert: Alert, context: AlertContext) => unknown;

/** The channel's plugin for the registry: its settings, its secret, when it is on. */
export function jsonWebhookPlugin<const Name extends string>(
  name: Name,
  minSeverity: Severity,
  message: Message,
) {
  return defineChannel({
    name,
    settings: channelSettings(minSeverity, { webhookUrl: url(HTTP, { optional: true }).prefault('') }),
    secrets: { webhookUrl: 'whole' },
    onWhenSet: ['webhookUrl'],
    create: (settings) => {
      requireWebUrl(settings.webhookUrl, `alerts.channels.${name}.webhookUrl`);
      return createJsonWebhookChannel(name, settings, message);
    },
  });
}

export function createJsonWebhookChannel<const Name extends string>(
  name: Name,
  config: JsonWebhookConfig,
  message: Message,
): AlertChannel<Name> {
  const secrets = [config.webhookUrl];
  return {
    name,
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      const request = {
        channel: name,
        url: config.webhookUrl,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message(alert, context)),
        secrets,
      };
      const answer = await post(request, signal);
      if (!answer.ok) throw new Error(answerError(request, answer));
    },
  };
}
