import type { Severity } from '../../mesh/types.js';
import type { Alert } from '../types.js';

/**
 * Alert channels: where a routed alert is delivered.
 *
 * - channel: one delivery plugin (`log`, `email`, `slack`, `webhook`), behind `AlertChannel`.
 *   `log` is always on; the others are on when configured (`alerts.channels.*`).
 * - context: what the notify job knows about the alert's node when it delivers, read from the
 *   store at delivery time; a channel formats it and never looks anything up itself.
 * - deadline: one delivery's total time, connect to last byte (`alerts.channels.<name>.timeout`).
 */
export const CHANNEL_NAMES = ['log', 'email', 'slack', 'webhook'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** The node and links an alert is delivered with. Everything node-related is null for mesh-wide alerts. */
export interface AlertContext {
  /** The node's display name (`nodes[].name`); null for mesh-wide alerts or a node no longer configured. */
  nodeName: string | null;
  /** The node's status when the alert is delivered (`healthy`, `unhealthy`, ...). */
  nodeStatus: string | null;
  /** The node's last check error, if any. */
  lastError: string | null;
  /** When the alert's incident started (ISO time), or null outside an incident. */
  incidentStartedAt: string | null;
  /** Absolute URL of the dashboard page. */
  dashboardUrl: string;
  /** Absolute URL of Bull Board. */
  boardUrl: string;
}

/**
 * One delivery plugin. `send` resolves once the alert is delivered and throws otherwise, so that the
 * notify job retries it with backoff. Its errors are wrapped with `{ cause }` and never carry a secret
 * (SMTP credentials, webhook URLs, header values). `signal` aborts a delivery in progress: on it,
 * `send` ends its connection and rejects — the notify job's deadline relies on that.
 */
export interface AlertChannel {
  name: ChannelName;
  /** The lowest severity this channel receives (`alerts.channels.<name>.minSeverity`). */
  minSeverity: Severity;
  /**
   * One delivery's total deadline in ms, first connection to last byte
   * (`alerts.channels.<name>.timeout`, default 30 s): `deliverWithinDeadline` aborts `send` past it.
   */
  timeout: number;
  send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void>;
}
