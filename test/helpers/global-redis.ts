/**
 * Finds a Redis for the whole run, in this order: $REDIS_URL, a private `redis-server` from PATH
 * on a free port, a testcontainers Redis when a Docker engine answers; else one clear failure.
 */
import type { TestProject } from 'vitest/node';
import { redisAnswers, redisServerOnPath, startPrivateRedis } from '../../src/runtime/private-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    if (!(await redisAnswers(fromEnv, 3000))) throw new Error(`REDIS_URL=${fromEnv} does not answer PING`);
    project.provide('redisUrl', fromEnv);
    return async () => {};
  }
  if (redisServerOnPath()) {
    const redis = await startPrivateRedis();
    project.provide('redisUrl', redis.url);
    return () => redis.stop();
  }
  const container = await startContainerRedis();
  if (container) {
    project.provide('redisUrl', container.url);
    return container.stop;
  }
  throw new Error(
    'tests need Redis: set REDIS_URL, install redis-server (apt install redis-server), or run a Docker engine',
  );
}

async function startContainerRedis(): Promise<{ url: string; stop(): Promise<void> } | null> {
  try {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return null;
  }
}
