import type { SMTPTransportOptions } from 'nodemailer';
import nodemailer from 'nodemailer';
import * as z from 'zod';
import { nonEmptyText, url } from '../../values/fields.js';
import { alertHtml, alertSubject, alertText } from '../format.js';
import type { Alert } from '../types.js';
import { deliveryError, safeMessage } from './errors.js';
import {
  type AlertChannel,
  type AlertContext,
  channelSettings,
  defineChannel,
  type EmailOptions,
} from './plugin.js';

export type { EmailOptions } from './plugin.js';

const emailSettings = channelSettings('CRITICAL', {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://user:pass@host:465` (implicit TLS). */
  smtp: url(['smtp', 'smtps'], { optional: true }).prefault(''),
  from: z.string().prefault(''),
  to: z.array(nonEmptyText()).prefault([]),
});
export type EmailChannelConfig = z.output<typeof emailSettings>;

/** `alerts.channels.email`: on when `smtp`, `from` and `to` are set; the SMTP URL's password is secret. */
export const emailChannel = defineChannel({
  name: 'email',
  settings: emailSettings,
  secrets: { smtp: 'userinfo' },
  onWhenSet: ['smtp', 'from', 'to'],
  create: (settings, deps) => createEmailChannel(settings, deps.emailOptions),
});

/**
 * How long a closed connection waits for the server's own close before it is destroyed. A server
 * that keeps talking after we closed (a stalled one trickling replies) holds the socket no longer.
 */
const SOCKET_CLOSE_MS = 1000;
/** nodemailer's silence timers fire this long after the channel's deadline, never before it. */
const PAST_DEADLINE_MS = 1000;

/**
 * The e-mail channel: one message per alert with a plain-text and an HTML part. No pool: each
 * delivery opens its own connection, so a broken server costs one failed job and nothing is held.
 * nodemailer (10.x) honours `signal`: an abort closes that delivery's connection at once.
 * Throws at startup when `smtp` is not an smtp(s) URL (the message never quotes the URL).
 */
export function createEmailChannel(
  config: EmailChannelConfig,
  options: EmailOptions = {},
): AlertChannel<'email'> {
  const transportOptions = smtpTransportOptions(config.smtp, config.timeout, options);
  const transport = nodemailer.createTransport(transportOptions);
  const password = transportOptions.auth?.pass ?? '';
  const secrets = [config.smtp, password, encodeURIComponent(password)];
  return {
    name: 'email',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void> {
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: alertSubject(alert, context.nodeName),
          text: alertText(alert, context),
          html: alertHtml(alert, context),
          signal,
        });
      } catch (error) {
        const host = `${transportOptions.host}:${transportOptions.port}`;
        const code = (error as { code?: unknown } | null)?.code;
        const reason = `${safeMessage(error, secrets)}${typeof code === 'string' ? ` (${code})` : ''}`;
        throw deliveryError(`email: delivery through ${host} failed: ${reason}`, error, secrets);
      }
    },
  };
}

/**
 * Nodemailer options from the configured URL; any query string is ignored, so nothing in it can
 * weaken TLS. nodemailer's own timers only measure silences (connect, greeting, between bytes) and
 * default to minutes: they are set a second past the channel's deadline, which ends a delivery
 * first and says so, and stay a backstop for a caller that gives no deadline.
 */
export function smtpTransportOptions(
  smtp: string,
  timeoutMs: number,
  options: EmailOptions = {},
): SMTPTransportOptions {
  let url: URL;
  try {
    url = new URL(smtp);
  } catch (error) {
    throw deliveryError('alerts.channels.email.smtp: not a URL', error, [smtp]);
  }
  const secure = url.protocol === 'smtps:';
  if (!secure && url.protocol !== 'smtp:') {
    throw new Error('alerts.channels.email.smtp: must start with smtp:// or smtps://');
  }
  if (url.hostname === '') throw new Error('alerts.channels.email.smtp: no host');
  const user = decodeURIComponent(url.username);
  const idleMs = timeoutMs + PAST_DEADLINE_MS;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    auth: user === '' ? undefined : { user, pass: decodeURIComponent(url.password) },
    connectionTimeout: idleMs,
    greetingTimeout: idleMs,
    socketTimeout: idleMs,
    dnsTimeout: idleMs,
    socketCloseTimeout: SOCKET_CLOSE_MS,
    tls: { rejectUnauthorized: options.allowUntrustedCertificates !== true },
  };
}
