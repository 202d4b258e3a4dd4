/**
 * The `error` listener every BullMQ Queue and Worker and every ioredis connection needs.
 *
 * Without one, BullMQ prints each error with its stack to stderr (its `emit` falls back to
 * `console.error`) and ioredis prints "Unhandled error event" the same way: outside the JSON log,
 * many lines each. While Redis is down every such component sees an error on each reconnect
 * attempt (about every 2 s), so the listener writes one line per component per `everyMs`, saying
 * how many it left out. Queues share the service's connection and hear each of its errors again:
 * those the connection logged itself ("unreachable … answers again", `runtime/redis.ts`) are not
 * repeated.
 */
import type { Logger } from './logger.js';

/** Anything with an `error` event: a Queue, a Worker, QueueEvents, an ioredis client. */
export interface ErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Set on an error that was logged already (by the connection that raised it). */
const LOGGED = Symbol('gpu-mesh: logged already');

/** Marks `error` as logged, so that the components that hear it again stay quiet. */
export function markLogged(error: Error): void {
  Object.defineProperty(error, LOGGED, { value: true });
}

/** One error line per component per minute at most: a long outage stays readable. */
export const ERROR_LOG_EVERY_MS = 60_000;

/**
 * Logs `source`'s errors as one ERROR line each, at most one per `everyMs`; returns `source`, so
 * it can wrap a `new Queue(...)`. `component` names it in the line (`health-check queue`).
 */
export function logErrors<T extends ErrorSource>(
  source: T,
  logger: Logger,
  component: string,
  everyMs: number = ERROR_LOG_EVERY_MS,
): T {
  source.on('error', errorLine(logger, component, everyMs));
  return source;
}

/** The rate-limited logging behind `logErrors`: a function to call with each error. */
export function errorLine(
  logger: Logger,
  component: string,
  everyMs: number = ERROR_LOG_EVERY_MS,
  now: () => number = Date.now,
): (reason: unknown) => void {
  let nextAt = Number.NEGATIVE_INFINITY;
  let leftOut = 0;
  return (reason) => {
    if (typeof reason === 'object' && reason !== null && LOGGED in reason) return;
    const at = now();
    if (at < nextAt) {
      leftOut += 1;
      return;
    }
    nextAt = at + everyMs;
    const message = oneLine(reason);
    const more = leftOut ? ` (${leftOut} more since the last line)` : '';
    logger.error({ component, err: message, leftOut }, `${component}: ${message}${more}`);
    leftOut = 0;
  };
}

/** An error's (or any thrown value's) message on one line. */
export function oneLine(reason: unknown): string {
  const text = reason instanceof Error ? reason.message || reason.name : String(reason);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
