/**
 * Real Redis topologies on loopback for the deployment tests: a 3-master Redis Cluster, and a
 * master watched by one Sentinel. Each runs `redis-server` children in a temp folder and removes it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisServerOnPath } from '../../src/runtime/private-redis.js';
import { waitFor } from '../helpers/wait.js';

export interface Topology {
  url: string;
  stop(): Promise<void>;
}

/** Why the topology tests cannot run here, or null when they can. */
export function missingRedisTools(): string | null {
  if (!redisServerOnPath()) return 'redis-server is not on PATH';
  if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'redis-cli is not on PATH';
  return null;
}

/** Three masters, no replicas, every slot covered: `redis+cluster://127.0.0.1:p1,…`. */
export async function startRedisCluster(masters = 3): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      // The cluster bus port is set too: port + 10000 (the default) may be taken or out of range.
      const port = await freshPort(ports);
      const busPort = await freshPort(ports);
      const nodeDir = join(dir, String(port));
      children.push(
        await startServer(nodeDir, port, [
          ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
          ...['--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '5000'],
        ]),
      );
    }
    const dataPorts = ports.filter((_, index) => index % 2 === 0);
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...dataPorts.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await Promise.all(dataPorts.map((port) => waitForClusterOk(port)));
    return {
      url: `redis+cluster://${dataPorts.map((p) => `127.0.0.1:${p}`).join(',')}`,
      stop: () => stopAll(children, dir),
    };
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
}

/** A private master and one Sentinel watching it as `mymaster`: `redis+sentinel://127.0.0.1:p/mymaster`. */
export async function startRedisSentinel(): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-sentinel-'));
  const children: ChildProcess[] = [];
  try {
    const taken: number[] = [];
    const masterPort = await freshPort(taken);
    const sentinelPort = await freshPort(taken);
    children.push(await startServer(join(dir, 'master'), masterPort, []));
    const config = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file: it must be writable and its own.
    writeFileSync(
      config,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
        'sentinel down-after-milliseconds mymaster 5000',
        '',
      ].join('\n'),
    );
    const sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
    children.push(sentinel);
    await waitFor(
      async () => {
        const answer = await ask(sentinelPort, ['SENTINEL', 'get-master-addr-by-name', 'mymaster']);
        return Array.isArray(answer) && answer[1] === String(masterPort);
      },
      'sentinel to know mymaster',
      10_000,
      100,
    );
    return { url: `redis+sentinel://127.0.0.1:${sentinelPort}/mymaster`, stop: () => stopAll(children, dir) };
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
}

async function startServer(dir: string, port: number, extra: string[]): Promise<ChildProcess> {
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    ...extra,
  ];
  mkdirSync(dir, { recursive: true });
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  await waitFor(async () => (await ask(port, ['PING'])) === 'PONG', `redis-server on ${port}`, 10_000, 50);
  return child;
}

async function waitForClusterOk(port: number): Promise<void> {
  await waitFor(
    async () => String(await ask(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
    `cluster state ok on ${port}`,
    20_000,
    100,
  );
}

/** One command on a throwaway connection; null when nothing answers. */
async function ask(port: number, command: [string, ...string[]]): Promise<unknown> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(...command);
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** A free loopback port not in `taken`, added to it. */
async function freshPort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!taken.includes(port)) {
      taken.push(port);
      return port;
    }
  }
}

async function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}
