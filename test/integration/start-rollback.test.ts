/**
 * A start that fails half-way leaves nothing running: with the server's port taken, the workers
 * and the scheduler started before it are stopped again, and the error reaches the caller.
 */
import { createServer } from 'node:net';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PortInUseError } from '../../src/board/server.js';
import { parseConfigText } from '../../src/config/load.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { startService } from '../../src/main.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

describe('a start whose server port is taken', () => {
  const prefix = uniquePrefix();
  const redis = connectTestRedis();

  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('throws, and stops the workers and the scheduler it had started', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const yaml = `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }\nserver: { port: ${port} }\nnodes: [{ id: a, url: "http://127.0.0.1:9" }]\n`;
    const { config } = parseConfigText(yaml, {}, 'test.yaml');
    try {
      await expect(
        startService({
          config,
          configSource: null,
          loadConfig: async () => config,
          roles: ['scheduler', 'worker', 'server'],
          logger: pino({ level: 'silent' }),
        }),
      ).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      taken.close();
    }
    for (const name of [
      QUEUE_NAMES.healthCheck,
      QUEUE_NAMES.alerts,
      QUEUE_NAMES.notify,
      QUEUE_NAMES.recovery,
    ]) {
      const queue = new Queue(name, { connection: redis, prefix });
      expect(await queue.getWorkers(), `${name} workers`).toEqual([]);
      await queue.close();
    }
  });
});
