/**
 * Redis connections. Workers block, so they retry forever; one-shot commands fail fast.
 * `redis.url` may name one server, a Sentinel-watched master or a Cluster (`redis-url.ts`).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { markLogged } from './error-log.js';
import type { Logger } from './logger.js';
import { connectCluster } from './redis-cluster.js';
import { describeRedisTarget, parseRedisUrl } from './redis-url.js';

/** A connection to whatever `url` names, with `options` for each server connection. */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const target = parseRedisUrl(url);
  switch (target.mode) {
    case 'single':
      return new Redis(url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.masterName,
        db: target.db,
        username: target.username,
        password: target.password,
        sentinelUsername: target.sentinelUsername,
        sentinelPassword: target.sentinelPassword,
        ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      });
    case 'cluster':
      return connectCluster(target, options);
    default: {
      const unknown: never = target;
      throw new Error(`redis.url: unknown kind ${(unknown as { mode: string }).mode}`);
    }
  }
}

/** For workers, schedulers and state writes: wait out a Redis restart rather than fail. */
export function connectForService(url: string, logger: Logger, name: string): Redis {
  const redis = connectRedis(url, { maxRetriesPerRequest: null, connectionName: `gpu-mesh:${name}` });
  reportConnection(redis, url, logger, name);
  return redis;
}

/** For CLI commands and HTTP handlers: an unreachable Redis is an answer, not a wait. */
export function connectForRequests(url: string, options: RedisOptions = {}): Redis {
  return connectRedis(url, {
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
  return describeRedisTarget(url);
}

function reportConnection(redis: Redis, url: string, logger: Logger, name: string): void {
  let down = false;
  // Registered first, so the queues sharing this connection see the errors marked.
  redis.on('error', (error: Error) => {
    markLogged(error);
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
