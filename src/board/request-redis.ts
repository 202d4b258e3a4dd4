/**
 * Redis as HTTP requests use it (guarantee 9, docs/guarantees.md): an unreachable Redis is an answer, 503
 * `{"error":"redis unavailable"}` within 2 s, never a request parked in ioredis's offline queue.
 *
 * The service's own connection retries every command forever (`maxRetriesPerRequest: null`, what
 * workers need), so a request served on it waits as long as Redis is away. The server therefore
 * talks to Redis on a connection of its own that fails fast:
 * - refused or reconnecting: no offline queue, a command fails at once;
 * - frozen (the process stopped, a network black hole): each command gives up after
 *   `COMMAND_TIMEOUT_MS`.
 * A route whose awaited work swallows such failures and would wait on is ended by `answerInTime`,
 * which asks Redis itself before answering 503, so a slow answer from a healthy Redis stays whole.
 */
import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';

export const REDIS_UNAVAILABLE = { error: 'redis unavailable' } as const;

/** One command's limit on the server's connection. */
export const COMMAND_TIMEOUT_MS = 1000;
/** A request not answered this long after it came asks whether Redis answers at all. */
const DEADLINE_MS = 1400;
/** ...and gives it this long to say so: 1.4 s + 0.4 s leaves room within the promised 2 s. */
const DEADLINE_PING_MS = 400;

/** The server's fail-fast copy of the service's connection (same server, credentials and TLS). */
export function connectForHttp(redis: Redis): Redis {
  const connection = redis.duplicate({
    connectionName: 'gpu-mesh:http',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    lazyConnect: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  });
  // The service's own connection already logs Redis going away and coming back.
  connection.on('error', () => {});
  return connection;
}

/** Resolves once the connection is ready, or after `timeoutMs` (a server may start while Redis is away). */
export async function readyWithin(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

export async function pingWithin(redis: Redis, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  const answered = await Promise.race([ping, timeout]);
  clearTimeout(timer);
  return answered;
}

const UNAVAILABLE_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'ConnectionClosedError',
]);
// ioredis and BullMQ say "Redis is not there" in these words; replies such as LOADING or CLUSTERDOWN
// mean the same. Any other reply error (WRONGTYPE, a script's error) is a fault of ours: a 500.
const UNAVAILABLE_MESSAGE =
  /command timed out|connection is closed|stream isn't writeable|max retries per request|none of startup nodes|failed to refresh slots cache|\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)\b|^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/i;

/** Whether `error` (or what caused it) says Redis could not be reached, rather than that it refused. */
export function isRedisUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (UNAVAILABLE_NAMES.has(current.name) || UNAVAILABLE_MESSAGE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Answers 503 `redis unavailable` when a request has had no answer for `DEADLINE_MS` and Redis
 * does not answer a PING either. A request that is slow for another reason (a check waiting for its
 * worker) goes on, for as long as Redis answers.
 */
export function answerInTime(redis: Redis): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      void pingWithin(redis, DEADLINE_PING_MS).then((answers) => {
        if (!answers && !res.headersSent) res.status(503).json(REDIS_UNAVAILABLE);
      });
    }, DEADLINE_MS);
    const stop = () => clearTimeout(timer);
    res.once('finish', stop);
    res.once('close', stop);
    next();
  };
}

/**
 * Aborted when the response is over: sent, or its client hung up. Work a request awaits (a check,
 * a recovery) takes it, so that nothing keeps polling Redis for a client that is gone.
 */
export function responseSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  if (res.destroyed || res.writableFinished) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}
