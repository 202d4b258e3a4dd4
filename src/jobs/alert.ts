/**
 * The `alerts` job: one per alert (job id from the alert id, so an alert emitted twice is one
 * job). It decides who gets the alert and hands each delivery to its own `notify` job:
 * gate (held while flapping, folded into a mass failure) -> claim the alert id (never delivered
 * twice) -> route (severity, the incident's channels for `recovered`, silences) -> record in the
 * history -> write it to the log -> publish it for the dashboard -> one `notify` job per other channel.
 */
import { z } from 'zod';
import type { AlertReadings } from '../alerts/alerting-state.js';
import type { ChannelName } from '../alerts/channels/types.js';
import { gateAlert } from '../alerts/gate.js';
import { alertJobId, type RoutableChannel, routeAlert } from '../alerts/routing.js';
import { alertSchema } from '../alerts/schema.js';
import type { Alert } from '../alerts/types.js';
import { QUEUE_NAMES } from './queues.js';

export const alertPayload = z.object({ alert: alertSchema });
export type AlertPayload = z.infer<typeof alertPayload>;

const DAY_S = 24 * 3600;

export const alertJob = {
  queue: QUEUE_NAMES.alerts,
  jobName: (alert: Alert) => `alert ${alert.kind} ${alert.nodeId ?? 'mesh'}`,
  jobId: alertJobId,
  /** Routing only talks to Redis: a few quick retries cover a Redis hiccup. */
  options: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
    removeOnFail: { age: 7 * DAY_S },
  },
} as const;

export type AlertOutcome =
  | { delivered: true; channels: ChannelName[] }
  | { delivered: false; reason: string };

export interface AlertJobDeps {
  readings(alert: Alert): Promise<AlertReadings>;
  /** Claims the delivery of `alert.id` for this job (`token`); false when another job delivered it. */
  claimDelivery(alertId: string, token: string): Promise<boolean>;
  /** Notes an incident's channels; false when its `recovered` was routed already. */
  openIncident(incidentId: string, channels: readonly ChannelName[]): Promise<boolean>;
  /** Closes an incident for routing and returns the channels its alerts went to. */
  closeIncident(incidentId: string): Promise<Set<ChannelName>>;
  /** The configured channels, `log` first. */
  channels(): readonly RoutableChannel[];
  record(alert: Alert): Promise<void>;
  log(alert: Alert): Promise<void>;
  publish(alert: Alert): Promise<void>;
  notify(alert: Alert, channels: readonly ChannelName[]): Promise<void>;
}

/** `token` identifies this job (its id and creation time), so its own retries keep their claim. */
export async function runAlertJob(alert: Alert, token: string, deps: AlertJobDeps): Promise<AlertOutcome> {
  const readings = await deps.readings(alert);
  const gate = gateAlert(alert, {
    flapping: readings.flapping,
    foldedInto: readings.foldedInto,
    incidentAnnounced: readings.incidentAnnounced,
  });
  if (!gate.deliver) return { delivered: false, reason: gate.reason };
  if (!(await deps.claimDelivery(alert.id, token))) {
    return { delivered: false, reason: `alert ${alert.id} was already delivered` };
  }

  const channels = deps.channels();
  let routed: ChannelName[];
  if (alert.kind === 'recovered' && alert.incidentId !== null) {
    routed = routeAlert(alert, channels, await deps.closeIncident(alert.incidentId), readings.silenced);
  } else {
    routed = routeAlert(alert, channels, new Set(), readings.silenced);
    if (alert.incidentId !== null && !(await deps.openIncident(alert.incidentId, routed))) {
      return { delivered: false, reason: `stale: incident ${alert.incidentId} already ended` };
    }
  }

  await deps.record(alert);
  if (routed.includes('log')) await deps.log(alert);
  await deps.publish(alert);
  await deps.notify(
    alert,
    routed.filter((channel) => channel !== 'log'),
  );
  return { delivered: true, channels: routed };
}
