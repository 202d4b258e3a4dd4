import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshView } from '../../src/mesh/view.js';
import { freePort } from '../../src/runtime/private-redis.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type CliProcess, runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const INTERVAL_MS = 1000;

describe('two gpu-mesh processes on one Redis and prefix', () => {
  let simulator: Simulator;
  let configPath: string;
  const prefix = uniquePrefix();
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ count: 3 });
    configPath = writeTempConfig(
      meshYaml(prefix, simulator, { checks: '  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms' }),
    );
    for (let i = 0; i < 2; i++)
      processes.push(startCli(['start', '--role', 'scheduler,worker', '--config', configPath]));
  });

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await simulator?.close();
    const redis = connectTestRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('checks each node once per interval, never twice', async () => {
    await waitFor(
      () => processes.every((p) => p.output().includes('check schedules in place')),
      'both started',
    );
    await waitFor(
      () => simulator.nodes.every((n) => (simulator.requests(n.id)['/api/version'] ?? 0) >= 2),
      'checks',
    );
    const before = simulator.nodes.map((n) => simulator.requests(n.id)['/api/version'] ?? 0);
    const started = Date.now();
    await waitFor(() => Date.now() - started >= 4 * INTERVAL_MS, 'four intervals', 10_000, 100);
    const elapsed = Date.now() - started;
    const after = simulator.nodes.map((n) => simulator.requests(n.id)['/api/version'] ?? 0);
    const slots = Math.ceil(elapsed / INTERVAL_MS);
    for (const [index, count] of after.entries()) {
      const checks = count - (before[index] ?? 0);
      expect(checks).toBeGreaterThanOrEqual(slots - 1);
      expect(checks).toBeLessThanOrEqual(slots + 1);
    }
  });

  it('reports the mesh with `status --json` and exit code 0 when all are healthy', async () => {
    const result = await runCli(['status', '--json', '--config', configPath]);
    expect(result.code).toBe(0);
    const mesh = JSON.parse(result.stdout) as MeshView;
    expect(mesh).toMatchObject({ healthPercent: 100, healthy: 3, total: 3 });
  });

  it('runs `check NODE` through the queue: exit 0 when it passes, 1 when it fails', async () => {
    const ok = await runCli(['check', 'sim-1', '--config', configPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^sim-1: ok in [\d.]+ ms · Ollama 0\.12\.3/);
    await simulator.setMode('sim-2', 'error');
    const failed = await runCli(['check', 'sim-2', '--config', configPath]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('HTTP 500: CUDA error: out of memory');
  });

  it('exits `status` with 2 once a node is unhealthy', async () => {
    await simulator.setMode('sim-3', 'dead');
    await waitFor(
      async () => (await runCli(['status', '--config', configPath])).code === 2,
      'status exit 2',
      15_000,
    );
    const result = await runCli(['status', '--config', configPath]);
    expect(result.stdout).toMatch(/sim-3\s+unhealthy/);
  });

  it('stops on SIGTERM with exit code 0 within 10 s', async () => {
    const [first] = processes;
    if (!first) throw new Error('no process');
    const started = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(first.output()).toContain('gpu-mesh stopped');
  });
});

describe('gpu-mesh against an unreachable Redis', () => {
  it('`status` gives up with exit 3', async () => {
    const port = await freePort();
    const result = await runCli(['status'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('`check` with no worker running exits 3', async () => {
    const prefix = uniquePrefix();
    const path = writeTempConfig(
      `checks: { timeout: 200ms }\nnodes:\n  - { id: lonely, url: "http://127.0.0.1:9" }\n`,
    );
    const result = await runCli(['check', 'lonely', '--config', path], {
      GPU_MESH_PREFIX: prefix,
      REDIS_URL: testRedisUrl(),
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no worker answered in time');
  });
});
