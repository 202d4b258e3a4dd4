/**
 * The `notify` job: one alert's delivery to one channel (job id `notify-<alert id>-<channel>`).
 * A failed delivery throws, so BullMQ retries it with exponential backoff; after the last try
 * the job stays failed in Bull Board, where a person's retry sends it again. Each channel's
 * deliveries are separate jobs, so a failing channel never holds up another: each delivery ends
 * by its channel's deadline, and each channel runs at most its share of the worker's places at
 * once — a delivery beyond that is postponed (no try used), so a channel whose deliveries hang
 * holds its own share and never another channel's.
 */
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import {
  type AlertChannel,
  type AlertContext,
  CHANNEL_NAMES,
  type ChannelName,
  deliverWithinDeadline,
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
  /** This process's deliveries in flight, per channel. */
  slots: DeliverySlots;
}

/** Delivered, or postponed until `until` (epoch ms) because the channel's places are all taken. */
export type NotifyOutcome = { delivered: ChannelName } | { postponed: ChannelName; until: number };

export async function runNotify(
  payload: NotifyPayload,
  deps: NotifyDeps,
  signal: AbortSignal,
): Promise<NotifyOutcome> {
  const channel = deps.channel(payload.channel);
  if (!channel) throw new UnrecoverableError(`channel ${payload.channel} is no longer configured`);
  const release = deps.slots.take(channel.name);
  if (release === null) return { postponed: channel.name, until: deps.slots.retryAt(channel.name) };
  try {
    await deliverWithinDeadline(channel, payload.alert, await deps.context(payload.alert), signal);
  } finally {
    release();
  }
  return { delivered: channel.name };
}

/**
 * Places per channel: an equal share of the worker's concurrency, at least one. Every channel
 * hanging at once still leaves each of them its share.
 */
export function placesPerChannel(concurrency: number, channels: number): number {
  return Math.max(1, Math.floor(concurrency / Math.max(1, channels)));
}

/** A postponed delivery comes back after as long as the channel's oldest delivery has run, within these. */
const POSTPONE_MIN_MS = 250;
const POSTPONE_MAX_MS = 5000;

/**
 * The deliveries each channel runs at once in this process, capped at `places()`. A postponed
 * delivery comes back after as long as the channel's oldest delivery in flight has run (250 ms
 * to 5 s): soon for a busy channel whose deliveries end quickly, seldom for one whose
 * deliveries hang until their deadline, yet within 5 s of a place freeing up.
 */
export class DeliverySlots {
  private readonly inFlight = new Map<ChannelName, Set<{ startedAt: number }>>();

  constructor(
    private readonly places: () => number,
    private readonly now: () => number,
  ) {}

  /** A place for one delivery, with its release; null when the channel has none free. */
  take(channel: ChannelName): (() => void) | null {
    const running = this.inFlight.get(channel) ?? new Set();
    this.inFlight.set(channel, running);
    if (running.size >= this.places()) return null;
    const entry = { startedAt: this.now() };
    running.add(entry);
    return () => running.delete(entry);
  }

  /** When a delivery the channel had no place for is tried again (epoch ms). */
  retryAt(channel: ChannelName): number {
    const now = this.now();
    let oldest = now;
    for (const entry of this.inFlight.get(channel) ?? []) oldest = Math.min(oldest, entry.startedAt);
    return now + Math.min(POSTPONE_MAX_MS, Math.max(POSTPONE_MIN_MS, now - oldest));
  }

  /** Deliveries of `channel` running now. */
  running(channel: ChannelName): number {
    return this.inFlight.get(channel)?.size ?? 0;
  }
}
