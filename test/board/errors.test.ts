import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/board/server.js';
import { parseConfigText } from '../../src/config/load.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** Serves `createApp` on a free loopback port; the config's Redis and prefix as given. */
async function serveApp(redis: Redis, prefix: string, logs: string[]) {
  const { config } = parseConfigText(`redis: { prefix: ${prefix} }`, {}, 'test.yaml');
  const closers: (() => Promise<void>)[] = [];
  const app = createApp(
    {
      config: () => config,
      redis,
      logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
      now: Date.now,
    },
    closers,
  );
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    async close() {
      for (const close of closers) await close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the server when nothing listens where Redis should be', () => {
  const prefix = uniquePrefix();
  // Nothing listens on port 1: every connection is refused at once.
  const redis = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  const logs: string[] = [];
  let app: Awaited<ReturnType<typeof serveApp>>;

  beforeAll(async () => {
    app = await serveApp(redis, prefix, logs);
  });
  afterAll(async () => {
    await app?.close();
    redis.disconnect();
  });

  it('says it is not ready', async () => {
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'redis unavailable' });
  });

  it('answers 503 "redis unavailable" on data routes, and logs no stack per request', async () => {
    for (const path of ['/api/mesh', '/api/reports/latest', '/api/alerts', '/metrics']) {
      const response = await fetch(`${app.url}${path}`);
      expect(response.status, path).toBe(503);
      expect(response.headers.get('content-type'), path).toMatch(/application\/json/);
      expect(await response.json(), path).toEqual({ error: 'redis unavailable' });
    }
    expect(logs.some((line) => line.includes('HTTP GET'))).toBe(false);
  });
});

describe('the server when reading the mesh fails for another reason', () => {
  const prefix = uniquePrefix();
  const redis = connectTestRedis();
  const serviceRedis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const logs: string[] = [];
  let app: Awaited<ReturnType<typeof serveApp>>;

  beforeAll(async () => {
    // The node list a scheduler publishes, corrupted: a fault of ours, not Redis being away.
    await redis.set(`${prefix}:nodes`, '{not json');
    app = await serveApp(serviceRedis, prefix, logs);
    await waitFor(async () => (await fetch(`${app.url}/readyz`)).ok, 'the app connected to Redis');
  });
  afterAll(async () => {
    await app?.close();
    serviceRedis.disconnect();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('answers 500 JSON with a one-line message and no stack, and logs it', async () => {
    const response = await fetch(`${app.url}/api/mesh`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { error: string };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(/^internal error: \S/);
    expect(body.error).not.toMatch(/\n|\bat \S+ \(/);
    expect(logs.some((line) => line.includes('HTTP GET /api/mesh failed'))).toBe(true);
  });
});
