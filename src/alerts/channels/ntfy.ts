/**
 * The ntfy channel: one message per alert, POSTed to a topic URL (ntfy.sh or a self-hosted server)
 * as plain text, with the subject line as `Title`, a `Priority` by severity, emoji `Tags`, the
 * dashboard as `Click`, and `Authorization: Bearer <token>` for a protected topic. Any answer but
 * 2xx (ntfy answers 200) fails it. On a public server the topic name is the only password, so the
 * URL's path is a secret as well as the token.
 */
import * as z from 'zod';
import { assertNever, type Severity } from '../../mesh/types.js';
import { HTTP, url } from '../../values/fields.js';
import { alertSubject, alertText, isWebUrl, truncate } from '../format.js';
import type { Alert } from '../types.js';
import { answerError, post } from './http-post.js';
import {
  type AlertChannel,
  type AlertContext,
  channelSettings,
  defineChannel,
  requireWebUrl,
} from './plugin.js';

const ntfySettings = channelSettings('WARNING', {
  /** The topic URL, e.g. `https://ntfy.example/gpu-alerts`: its path (the topic) is a secret. */
  url: url(HTTP, { optional: true }).prefault(''),
  /** An access token for a protected topic (`tk_...`); "" = none. A secret. */
  token: z.string().prefault(''),
});
export type NtfyChannelConfig = z.output<typeof ntfySettings>;

/** `alerts.channels.ntfy`: on when `url` is set; the URL's path and query and the token are secret. */
export const ntfyChannel = defineChannel({
  name: 'ntfy',
  settings: ntfySettings,
  secrets: { url: 'path', token: 'whole' },
  onWhenSet: ['url'],
  create: (settings) => {
    requireWebUrl(settings.url, 'alerts.channels.ntfy.url');
    return createNtfyChannel(settings);
  },
});

export function createNtfyChannel(config: NtfyChannelConfig): AlertChannel<'ntfy'> {
  const secrets = [config.url, config.token];
  return {
    name: 'ntfy',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      const { headers, body } = ntfyMessage(alert, context, config.token);
      const request = { channel: 'ntfy', url: config.url, headers, body, secrets };
      const answer = await post(request, signal);
      if (!answer.ok) throw new Error(answerError(request, answer));
    },
  };
}

/** ntfy keeps a message of up to 4096 bytes as text (longer ones become an attachment). */
const BODY_CHARS = 3000;

/** The request for one alert: its headers (ASCII, per HTTP) and its plain-text body. */
export function ntfyMessage(
  alert: Alert,
  context: AlertContext,
  token: string,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: headerText(alertSubject(alert, context.nodeName)),
    priority: String(ntfyPriority(alert.severity)),
    tags: [ntfyEmoji(alert), 'gpu-mesh', alert.kind].join(','),
  };
  if (isWebUrl(context.dashboardUrl)) headers.click = context.dashboardUrl;
  if (token !== '') headers.authorization = `Bearer ${token}`;
  return { headers, body: truncate(alertText(alert, context).trimEnd(), BODY_CHARS) };
}

/** ntfy's priorities: 5 urgent, 4 high, 3 default, 2 low (1, min, is never sent). */
export function ntfyPriority(severity: Severity): 2 | 3 | 4 | 5 {
  switch (severity) {
    case 'INFO':
      return 2;
    case 'WARNING':
      return 3;
    case 'ERROR':
      return 4;
    case 'CRITICAL':
      return 5;
    default:
      return assertNever(severity);
  }
}

/** A tag ntfy shows as an emoji: ✅ for `recovered`, else by severity (ℹ️ ⚠️ 🔴 🚨). */
function ntfyEmoji(alert: Alert): string {
  if (alert.kind === 'recovered') return 'white_check_mark';
  switch (alert.severity) {
    case 'INFO':
      return 'information_source';
    case 'WARNING':
      return 'warning';
    case 'ERROR':
      return 'red_circle';
    case 'CRITICAL':
      return 'rotating_light';
    default:
      return assertNever(alert.severity);
  }
}

/**
 * A header value on one line; text that is not ASCII (a node named in any script) as an RFC 2047
 * encoded word, which ntfy decodes — a raw non-ASCII header would be refused or garbled.
 */
export function headerText(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}
