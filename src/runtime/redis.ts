/** Redis connections. Workers block, so they retry forever; one-shot commands fail fast. */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/** For workers, schedulers and state writes: wait out a Redis restart rather than fail. */
export function connectForService(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `gpu-mesh:${name}` });
  reportConnection(redis, url, logger, name);
  return redis;
}

/** For CLI commands and HTTP handlers: an unreachable Redis is an answer, not a wait. */
export function connectForRequests(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 1000),
    lazyConnect: false,
    ...options,
  });
}

/** Credentials stripped, for log lines. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis';
  }
}

function reportConnection(redis: Redis, url: string, logger: Logger, name: string): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.error(
      { redis: describeRedisUrl(url), connection: name, err: error.message },
      `Redis at ${describeRedisUrl(url)} is unreachable (${error.message}); retrying until it answers`,
    );
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, `Redis at ${describeRedisUrl(url)} answers again`);
    down = false;
  });
}
