/**
 * A private `redis-server` child process, for the demo on a machine without Redis and for tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { connectRedis } from './redis.js';

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  let redis: ReturnType<typeof connectRedis>;
  try {
    redis = connectRedis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
  } catch {
    return false; // not a Redis URL at all
  }
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts `redis-server` on a free loopback port; with `dir`, data is kept there (AOF). */
export async function startPrivateRedis(
  options: { dir?: string; port?: number } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    args.push('--dir', options.dir, '--appendonly', 'yes');
  } else {
    args.push('--appendonly', 'no');
  }
  // Its own process group: a Ctrl-C at the terminal reaches gpu-mesh alone, which stops Redis
  // after its own shutdown (Redis dying under it would cut the shutdown short).
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 300))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, port, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const HOW_TO_GET_REDIS =
  'no Redis answers: start one with `docker run -d -p 127.0.0.1:6379:6379 redis:7`, `sudo apt install redis-server`, or `brew install redis`, or set REDIS_URL';
