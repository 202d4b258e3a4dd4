import type { Logger } from 'pino';
import type { MeshConfig } from '../../config/types.js';
import { isWebUrl } from '../format.js';
import { createEmailChannel, type EmailOptions } from './email.js';
import { createLogChannel } from './log.js';
import { createSlackChannel } from './slack.js';
import type { AlertChannel } from './types.js';
import { createWebhookChannel } from './webhook.js';

export type ChannelsConfig = MeshConfig['alerts']['channels'];

export interface ChannelDeps {
  logger: Logger;
  emailOptions?: EmailOptions;
}

/**
 * The configured channels, in a plain list: log always; email when `smtp`, `from` and `to` are
 * set; slack when `webhookUrl` is set; webhook when `url` is set. Throws (without quoting secrets)
 * when a configured URL is unusable, so a bad channel stops startup instead of every delivery.
 */
export function buildChannels(config: ChannelsConfig, deps: ChannelDeps): AlertChannel[] {
  const channels: AlertChannel[] = [createLogChannel(deps.logger)];
  const { email, slack, webhook } = config;
  if (email.smtp !== '' && email.from !== '' && email.to.length > 0) {
    channels.push(createEmailChannel(email, deps.emailOptions));
  }
  if (slack.webhookUrl !== '') {
    requireWebUrl(slack.webhookUrl, 'alerts.channels.slack.webhookUrl');
    channels.push(createSlackChannel(slack));
  }
  if (webhook.url !== '') {
    requireWebUrl(webhook.url, 'alerts.channels.webhook.url');
    channels.push(createWebhookChannel(webhook));
  }
  return channels;
}

function requireWebUrl(value: string, key: string): void {
  if (!isWebUrl(value)) throw new Error(`${key}: not an http(s) URL`);
}

export { deliverWithinDeadline } from './deadline.js';
export type { AlertChannel, AlertContext, ChannelName } from './types.js';
export { CHANNEL_NAMES } from './types.js';
