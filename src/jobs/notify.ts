/**
 * The `notify` job: one alert's delivery to one channel (job id `notify-<alert id>-<channel>`).
 * A failed delivery throws, so BullMQ retries it with exponential backoff; after the last try
 * the job stays failed in Bull Board, where a person's retry sends it again. Each channel's
 * deliveries are separate jobs, so a failing channel never holds up another.
 */
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import {
  type AlertChannel,
  type AlertContext,
  CHANNEL_NAMES,
  type ChannelName,
} from '../alerts/channels/index.js';
import { notifyJobId } from '../alerts/routing.js';
import { alertSchema } from '../alerts/schema.js';
import type { Alert } from '../alerts/types.js';
import { QUEUE_NAMES } from './queues.js';

export const notifyPayload = z.object({ alert: alertSchema, channel: z.enum(CHANNEL_NAMES) });
export type NotifyPayload = z.infer<typeof notifyPayload>;

const DAY_S = 24 * 3600;

/** How deliveries retry: `attempts` tries, the first retry after `backoffMs`, each next one twice as late. */
export interface DeliveryRetry {
  attempts: number;
  backoffMs: number;
}

/** 5 tries: retries after 40 s, 80 s, 160 s and 320 s — about 10 minutes in all. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { attempts: 5, backoffMs: 40_000 };

export const notifyJob = {
  queue: QUEUE_NAMES.notify,
  jobName: (channel: ChannelName, alert: Alert) =>
    `notify ${channel} ${alert.kind} ${alert.nodeId ?? 'mesh'}`,
  jobId: (channel: ChannelName, alert: Alert) => notifyJobId(alert.id, channel),
  options: (retry: DeliveryRetry) => ({
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 7 * DAY_S, count: 10_000 },
    /** Failed deliveries wait in Bull Board for a person's retry. */
    removeOnFail: { age: 14 * DAY_S },
  }),
} as const;

export interface NotifyDeps {
  /** The configured channel of that name, if it still is. */
  channel(name: ChannelName): AlertChannel | undefined;
  /** The node and links to deliver the alert with, read now. */
  context(alert: Alert): Promise<AlertContext>;
}

export async function runNotify(
  payload: NotifyPayload,
  deps: NotifyDeps,
  signal: AbortSignal,
): Promise<void> {
  const channel = deps.channel(payload.channel);
  if (!channel) throw new UnrecoverableError(`channel ${payload.channel} is no longer configured`);
  await channel.send(payload.alert, await deps.context(payload.alert), signal);
}
