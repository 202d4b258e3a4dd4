import { type Severity, severityRank } from '../mesh/types.js';
import type { ChannelName } from './channels/types.js';
import type { Alert } from './types.js';

/** What routing needs to know of a channel. */
export interface RoutableChannel {
  name: ChannelName;
  minSeverity: Severity;
}

/**
 * The channels an alert goes to, in the order of `channels` (pure).
 *
 * - A channel gets an alert when the alert's severity is at least its `minSeverity`.
 * - A `recovered` alert also goes to every channel in `incidentChannels`: the channels any alert
 *   of its incident was routed to, delivered yet or not, so whoever heard of the trouble hears it ended.
 * - A silenced node sends nothing (docs/alerts.md): no e-mail, Slack or webhook, not even `recovered`. The
 *   `log` channel still records its alerts, by the same severity rule, because the log is the
 *   operator's own record of what happened during maintenance, not a notification.
 */
export function routeAlert(
  alert: Alert,
  channels: readonly RoutableChannel[],
  incidentChannels: ReadonlySet<ChannelName>,
  silenced: boolean,
): ChannelName[] {
  const routed: ChannelName[] = [];
  for (const channel of channels) {
    if (silenced && channel.name !== 'log') continue;
    const severe = severityRank(alert.severity) >= severityRank(channel.minSeverity);
    const heardOfIncident = !silenced && alert.kind === 'recovered' && incidentChannels.has(channel.name);
    if ((severe || heardOfIncident) && !routed.includes(channel.name)) routed.push(channel.name);
  }
  return routed;
}

/**
 * BullMQ job ids may not contain `:` (docs/http-api.md "Queues"), and an all-digit custom id is refused too; ids here
 * are built from alert ids that embed incident ids (`<node>:<epoch-ms>`), so `:` becomes `-` and a
 * fixed prefix keeps every id from being a number. The same alert always gives the same id, which
 * is what lets several processes enqueue it and BullMQ keep one.
 */
export function alertJobId(alert: Pick<Alert, 'id'>): string {
  return `alert-${jobIdPart(alert.id)}`;
}

/** The id of one alert's delivery to one channel: one notify job per (alert, channel). */
export function notifyJobId(alertId: string, channel: ChannelName): string {
  return `notify-${jobIdPart(alertId)}-${channel}`;
}

function jobIdPart(text: string): string {
  return text.replaceAll(':', '-');
}
