import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStore } from '../../src/mesh/store.js';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../src/runtime/private-redis.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type CliProcess, startCli, writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { chaosYaml } from './support.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface Setup {
  simulator: Simulator;
  port: number;
  dir: string;
  redis: PrivateRedis;
  mesh: CliProcess;
  checks: () => Promise<number>;
}

async function setup(): Promise<Setup> {
  const simulator = await startSimulator({ count: 2 });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-chaos-'));
  const redis = await startPrivateRedis({ port, dir });
  const url = `redis://127.0.0.1:${port}`;
  const config = writeTempConfig(
    chaosYaml(url, 'chaos', simulator, [
      'checks: { interval: 500ms, retryInterval: 200ms, timeout: 400ms }',
      'keepalive: { interval: 1s, watch: false }',
    ]),
  );
  const mesh = startCli(['start', '--role', 'scheduler,worker', '--config', config]);
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  const store = new NodeStore(client, 'chaos');
  const checks = async () => (await store.read('sim-1')).state.checks;
  const state: Setup = { simulator, port, dir, redis, mesh, checks };
  cleanups.push(
    () => simulator.close(),
    () => state.redis.stop(),
    () => client.disconnect(),
    () => mesh.child.kill('SIGKILL'),
  );
  await waitFor(async () => (await checks()) >= 2, 'checks to run', 15_000);
  return state;
}

describe('chaos: Redis restarts', () => {
  it('rides out a Redis restart that keeps its data, then detects a node killed afterwards', async () => {
    const s = await setup();
    await s.redis.stop();
    s.redis = await startPrivateRedis({ port: s.port, dir: s.dir });
    const before = await s.checks();
    await waitFor(async () => (await s.checks()) > before + 2, 'checks to resume', 20_000);
    // The node's counters survived the restart: the data was kept.
    expect(before).toBeGreaterThanOrEqual(2);
    await s.simulator.setMode('sim-2', 'dead');
    const client = new Redis(s.redis.url);
    try {
      await waitFor(
        async () => (await new NodeStore(client, 'chaos').read('sim-2')).state.status === 'unhealthy',
        'sim-2 unhealthy',
        10_000,
      );
    } finally {
      client.disconnect();
    }
    expect(s.mesh.child.exitCode).toBeNull();
  });

  it('puts every schedule back when Redis comes back empty, and says so', async () => {
    const s = await setup();
    await s.redis.stop();
    // Same port, a fresh data folder: everything gpu-mesh had in Redis is gone.
    s.redis = await startPrivateRedis({ port: s.port, dir: mkdtempSync(join(tmpdir(), 'gpu-mesh-empty-')) });
    await waitFor(async () => (await s.checks()) >= 2, 'checks to resume on the empty Redis', 20_000);
    expect(s.mesh.output()).toContain('Redis had lost the mesh data');
    expect(s.mesh.child.exitCode).toBeNull();
  });
});
