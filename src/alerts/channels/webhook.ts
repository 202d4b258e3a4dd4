import * as z from 'zod';
import { HTTP, url } from '../../values/fields.js';
import type { Alert } from '../types.js';
import { deliveryError, safeMessage } from './errors.js';
import { type AlertChannel, channelSettings, defineChannel, requireWebUrl } from './plugin.js';

const webhookSettings = channelSettings('ERROR', {
  /** Where the alert is POSTed: a secret (it often carries a token), never quoted in errors. */
  url: url(HTTP, { optional: true }).prefault(''),
  /** Sent with every request (e.g. `authorization`); their values are secrets too. */
  headers: z.record(z.string(), z.string()).prefault({}),
});
export type WebhookChannelConfig = z.output<typeof webhookSettings>;

/** `alerts.channels.webhook`: on when `url` is set; the URL and every header value are secret. */
export const webhookChannel = defineChannel({
  name: 'webhook',
  settings: webhookSettings,
  secrets: { url: 'whole', headers: 'values' },
  onWhenSet: ['url'],
  create: (settings) => {
    requireWebUrl(settings.url, 'alerts.channels.webhook.url');
    return createWebhookChannel(settings);
  },
});

/**
 * The webhook channel: POSTs the Alert JSON, exactly the shape of docs/http-api.md, with the configured headers.
 * Any answer but 2xx fails the delivery; redirects are not followed (a POST must not turn into a GET).
 */
export function createWebhookChannel(config: WebhookChannelConfig): AlertChannel<'webhook'> {
  const secrets = [config.url, ...Object.values(config.headers)];
  return {
    name: 'webhook',
    minSeverity: config.minSeverity,
    timeout: config.timeout,
    async send(alert: Alert, _context, signal: AbortSignal): Promise<void> {
      const headers = new Headers(config.headers);
      headers.set('content-type', 'application/json');
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: 'POST',
          headers,
          body: JSON.stringify(alertJson(alert)),
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        throw deliveryError(`webhook: request failed: ${safeMessage(error, secrets)}`, error, secrets);
      }
      // The body is not needed; release the connection either way.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) {
        throw new Error(`webhook: HTTP ${response.status} ${response.statusText}`.trimEnd());
      }
    },
  };
}

/** The Alert as docs/http-api.md writes it, field by field, so nothing else a caller attached is ever sent. */
export function alertJson(alert: Alert): Alert {
  const { id, at, severity, kind, nodeId, incidentId, title, message } = alert;
  return { id, at, severity, kind, nodeId, incidentId, title, message };
}
