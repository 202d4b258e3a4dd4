/** The processes a benchmark runs against: a private Redis and simulators in their own processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { type PrivateRedis, startPrivateRedis } from '../src/runtime/private-redis.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli/index.js');

/** One simulator process serves at most this many nodes: each costs it two file descriptors. */
const NODES_PER_SIMULATOR = 5000;

export interface Fleet {
  redis: PrivateRedis;
  client: Redis;
  simulators: ChildProcess[];
  firstPort: number;
  nodes: number;
  /** Node i's port; each simulator process's control endpoint sits just below its first node. */
  ports: number[];
  close(): Promise<void>;
}

export async function startFleet(nodes: number, firstPort: number): Promise<Fleet> {
  const redis = await startPrivateRedis();
  const simulators: ChildProcess[] = [];
  const ports: number[] = [];
  let port = firstPort;
  for (let start = 0; start < nodes; start += NODES_PER_SIMULATOR) {
    const count = Math.min(NODES_PER_SIMULATOR, nodes - start);
    const simulator = await startSimulatorProcess(count, port).catch(async (error: Error) => {
      for (const started of simulators) started.kill('SIGTERM');
      await redis.stop();
      throw error;
    });
    simulators.push(simulator);
    for (let i = 0; i < count; i++) ports.push(port + i);
    port += count + 1;
  }
  const client = new Redis(redis.url);
  return {
    redis,
    client,
    simulators,
    firstPort,
    nodes,
    ports,
    async close() {
      for (const simulator of simulators) simulator.kill('SIGTERM');
      client.disconnect();
      await redis.stop();
    },
  };
}

export async function startSimulatorProcess(count: number, port: number): Promise<ChildProcess> {
  const simulator = spawn(
    process.execPath,
    [CLI, 'simulate', '--nodes', String(count), '--port', String(port)],
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
  return simulator;
}

/**
 * `BENCH_NODE_ARGS` goes to every mesh process's node, e.g. `--cpu-prof --cpu-prof-dir=prof` for
 * a CPU profile of each, or `--heapsnapshot-signal=SIGUSR2`.
 */
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

export function startMesh(configPath: string, roles = 'scheduler,worker'): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, CLI, 'start', '--role', roles, '--config', configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export interface MeshYamlOptions {
  /** The `checks:` mapping in flow style; default: the interval, 5 s timeout, 1 s retry. */
  checks?: string;
  watch?: boolean;
  /** More top-level YAML (e.g. an `alerts:` block), in flow style on one line. */
  extra?: string;
}

export function meshConfigYaml(
  fleet: Fleet,
  prefix: string,
  interval: string,
  options: MeshYamlOptions = {},
): string {
  const lines = [
    `redis: { url: "${fleet.redis.url}", prefix: ${prefix} }`,
    `checks: ${options.checks ?? `{ interval: ${interval}, timeout: 5s, retryInterval: 1s }`}`,
    `keepalive: { watch: ${options.watch ?? false} }`,
    'log: { level: warn }',
    ...(options.extra ? [options.extra] : []),
    'nodes:',
  ];
  // Each simulator process's control endpoint sits between its nodes' ports and the next one's.
  fleet.ports.forEach((port, i) => {
    lines.push(`  - { id: n${i + 1}, url: "http://127.0.0.1:${port}" }`);
  });
  return lines.join('\n');
}
