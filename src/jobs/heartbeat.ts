/**
 * The heartbeat (dead man's switch): when `heartbeat.url` is set, a scheduled job GETs it every
 * `heartbeat.interval` — but only while checks are actually happening, so an outside service
 * that stops hearing it knows gpu-mesh itself is dead or stalled, not merely that a process lives.
 * A failed ping is not retried: the next one is due an interval later anyway.
 *
 * It runs on the `alerts` queue, whose jobs only talk to Redis, and not beside the deliveries on
 * `notify`: deliveries that hang until their deadline must never hold up the dead man's switch
 * (guarantee 8, docs/guarantees.md).
 */

import { deliveryError, safeMessage } from '../alerts/channels/errors.js';
import type { MeshConfig } from '../config/types.js';
import { QUEUE_NAMES } from './queues.js';

export const heartbeatJob = {
  queue: QUEUE_NAMES.alerts,
  name: 'heartbeat',
  schedulerId: 'heartbeat',
  options: {
    attempts: 1,
    // Kept as the alert jobs sharing its queue are: BullMQ applies a job's count to the queue's
    // whole completed or failed list, so a smaller one here would push alerts out of Bull Board.
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
} as const;

/** A node's newest check and its interval. */
export interface CheckClock {
  lastCheckAt: number | null;
  interval: number;
}

/**
 * Pure: the mesh is checking while some enabled node was checked within `staleAfter` of its
 * intervals (the same rule that calls a node's monitor stalled). An empty or never-checked mesh is not.
 */
export function meshIsChecking(clocks: readonly CheckClock[], staleAfter: number, now: number): boolean {
  return clocks.some(
    (clock) => clock.lastCheckAt !== null && now - clock.lastCheckAt <= staleAfter * clock.interval,
  );
}

export interface HeartbeatDeps {
  config(): MeshConfig;
  /** The enabled nodes' newest checks. */
  clocks(config: MeshConfig): Promise<CheckClock[]>;
  now(): number;
}

export type HeartbeatOutcome = { pinged: true; status: number } | { pinged: false; reason: string };

const MAX_PING_MS = 10_000;

export async function runHeartbeat(deps: HeartbeatDeps, signal: AbortSignal): Promise<HeartbeatOutcome> {
  const config = deps.config();
  const { url, interval } = config.heartbeat;
  if (url === '') return { pinged: false, reason: 'heartbeat.url is not set' };
  if (!meshIsChecking(await deps.clocks(config), config.keepalive.staleAfter, deps.now())) {
    return { pinged: false, reason: 'no check happened recently: the mesh is not checking' };
  }
  const status = await ping(url, Math.min(interval, MAX_PING_MS), signal);
  return { pinged: true, status };
}

/** GET `url`; any answer but 2xx fails. The URL is a secret (it carries the token): never quoted. */
async function ping(url: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  } catch (error) {
    throw deliveryError(`heartbeat: ping failed: ${safeMessage(error, [url])}`, error, [url]);
  }
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`heartbeat: HTTP ${response.status} from the heartbeat URL`);
  return response.status;
}
