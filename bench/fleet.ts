/** The processes a benchmark runs against: a private Redis and a simulator in its own process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { type PrivateRedis, startPrivateRedis } from '../src/runtime/private-redis.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli/index.js');

export interface Fleet {
  redis: PrivateRedis;
  client: Redis;
  simulator: ChildProcess;
  firstPort: number;
  nodes: number;
  close(): Promise<void>;
}

export async function startFleet(nodes: number, firstPort: number): Promise<Fleet> {
  const redis = await startPrivateRedis();
  const simulator = spawn(
    process.execPath,
    [CLI, 'simulate', '--nodes', String(nodes), '--port', String(firstPort)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((ready, fail) => {
    let output = '';
    simulator.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('control')) ready();
    });
    simulator.once('exit', (code) => fail(new Error(`simulator exited ${code}`)));
  });
  const client = new Redis(redis.url);
  return {
    redis,
    client,
    simulator,
    firstPort,
    nodes,
    async close() {
      simulator.kill('SIGTERM');
      client.disconnect();
      await redis.stop();
    },
  };
}

export function startMesh(configPath: string, roles = 'scheduler,worker'): ChildProcess {
  return spawn(process.execPath, [CLI, 'start', '--role', roles, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export function meshConfigYaml(fleet: Fleet, prefix: string, interval: string, extra = ''): string {
  const lines = [
    `redis: { url: "${fleet.redis.url}", prefix: ${prefix} }`,
    `checks: { interval: ${interval}, timeout: 5s, retryInterval: 1s }`,
    'keepalive: { watch: false }',
    'log: { level: warn }',
    extra,
    'nodes:',
  ];
  for (let i = 0; i < fleet.nodes; i++)
    lines.push(`  - { id: n${i + 1}, url: "http://127.0.0.1:${fleet.firstPort + i}" }`);
  return lines.join('\n');
}
