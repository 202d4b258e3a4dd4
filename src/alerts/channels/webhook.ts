import type { Severity } from '../../mesh/types.js';
import type { Alert } from '../types.js';
import { deliveryError, safeMessage } from './errors.js';
import type { AlertChannel } from './types.js';

export interface WebhookChannelConfig {
  minSeverity: Severity;
  /** Where the alert is POSTed: a secret (it often carries a token), never quoted in errors. */
  url: string;
  /** Sent with every request (e.g. `authorization`); their values are secrets too. */
  headers: Record<string, string>;
  /** One delivery's total deadline in ms, connect to last byte. */
  timeout: number;
}

/**
 * The webhook channel: POSTs the Alert JSON, exactly the shape of docs/http-api.md, with the configured headers.
 * Any answer but 2xx fails the delivery; redirects are not followed (a POST must not turn into a GET).
 */
export function createWebhookChannel(config: WebhookChannelConfig): AlertChannel {
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
