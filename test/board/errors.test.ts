import type { Server } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/board/server.js';
import { parseConfigText } from '../../src/config/load.js';
import { NodeStore } from '../../src/mesh/store.js';
import { uniquePrefix } from '../helpers/redis.js';

describe('the server when Redis is unreachable', () => {
  const prefix = uniquePrefix();
  // Nothing listens on port 1: every command fails at once.
  const redis = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  const checkQueue = new Queue('health-check', { connection: redis, prefix });
  checkQueue.on('error', () => {});
  const closers: (() => Promise<void>)[] = [];
  const logs: string[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const { config } = parseConfigText(`redis: { prefix: ${prefix} }`, {}, 'test.yaml');
    const app = createApp(
      {
        config: () => config,
        redis,
        store: new NodeStore(redis, prefix),
        checkQueue,
        logger: pino({ level: 'info' }, { write: (line: string) => logs.push(line) }),
        now: Date.now,
      },
      closers,
    );
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await new Promise((resolve) => server?.close(resolve));
    await checkQueue.close().catch(() => undefined);
    redis.disconnect();
  });

  it('says it is not ready', async () => {
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'redis unreachable' });
  });

  it('answers 500 JSON with a one-line message and no stack, and logs it', async () => {
    for (const path of ['/api/mesh', '/api/reports/latest', '/api/alerts', '/metrics']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(500);
      expect(response.headers.get('content-type'), path).toMatch(/application\/json/);
      const body = (await response.json()) as { error: string };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error, path).toMatch(/^internal error: \S/);
      expect(body.error, path).not.toMatch(/\n|\bat \S+ \(/);
    }
    expect(logs.some((line) => line.includes('HTTP GET /api/mesh failed'))).toBe(true);
  });
});
