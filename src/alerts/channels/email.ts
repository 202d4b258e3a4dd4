import type { SMTPTransportOptions } from 'nodemailer';
import nodemailer from 'nodemailer';
import type { Severity } from '../../mesh/types.js';
import { alertHtml, alertSubject, alertText } from '../format.js';
import type { Alert } from '../types.js';
import { deliveryError, safeMessage } from './errors.js';
import type { AlertChannel, AlertContext } from './types.js';

export interface EmailChannelConfig {
  minSeverity: Severity;
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://user:pass@host:465` (implicit TLS). */
  smtp: string;
  from: string;
  to: string[];
}

/** Transport settings the composition root (or a test) may tune. */
export interface EmailOptions {
  /** Time to open the TCP (and, for smtps, TLS) connection. Default 10 000 ms. */
  connectionTimeoutMs?: number;
  /** Time to wait for the server's greeting once connected. Default 10 000 ms. */
  greetingTimeoutMs?: number;
  /** Longest silence of the server during a delivery. Default 10 000 ms. */
  socketTimeoutMs?: number;
  /** Accept a self-signed or otherwise untrusted server certificate. Default false: never in production. */
  allowUntrustedCertificates?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The e-mail channel: one message per alert with a plain-text and an HTML part. No pool: each
 * delivery opens its own connection, so a broken server costs one failed job and nothing is held.
 * Throws at startup when `smtp` is not an smtp(s) URL (the message never quotes the URL).
 */
export function createEmailChannel(config: EmailChannelConfig, options: EmailOptions = {}): AlertChannel {
  const transportOptions = smtpTransportOptions(config.smtp, options);
  const transport = nodemailer.createTransport(transportOptions);
  const password = transportOptions.auth?.pass ?? '';
  const secrets = [config.smtp, password, encodeURIComponent(password)];
  return {
    name: 'email',
    minSeverity: config.minSeverity,
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

/** Nodemailer options from the configured URL; any query string is ignored, so nothing in it can weaken TLS. */
export function smtpTransportOptions(smtp: string, options: EmailOptions = {}): SMTPTransportOptions {
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
  const timeout = (value: number | undefined): number => value ?? DEFAULT_TIMEOUT_MS;
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    auth: user === '' ? undefined : { user, pass: decodeURIComponent(url.password) },
    connectionTimeout: timeout(options.connectionTimeoutMs),
    greetingTimeout: timeout(options.greetingTimeoutMs),
    socketTimeout: timeout(options.socketTimeoutMs),
    dnsTimeout: timeout(options.connectionTimeoutMs),
    tls: { rejectUnauthorized: options.allowUntrustedCertificates !== true },
  };
}
