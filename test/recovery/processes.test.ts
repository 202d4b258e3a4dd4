import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStore } from '../../src/mesh/store.js';
import type { NodeStatus } from '../../src/mesh/types.js';
import type { MeshView } from '../../src/mesh/view.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type CliProcess, runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const REVIVE = resolve(import.meta.dirname, '../fixtures/revive-node.mjs');

interface Fleet {
  simulator: Simulator;
  configPath: string;
  prefix: string;
  runs: () => string[];
  processes: CliProcess[];
  nodeStatus: () => Promise<NodeStatus>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Two `gpu-mesh start` processes; sim-1's action revives it after `delayMs`, recording which process ran it. */
async function fleet(delayMs: number): Promise<Fleet> {
  const simulator = await startSimulator({ count: 1, controlPort: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-fleet-'));
  const runsFile = join(dir, 'runs');
  writeFileSync(runsFile, '');
  const prefix = uniquePrefix();
  const configPath = writeTempConfig(
    meshYaml(prefix, simulator, {
      checks: '  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms',
      extraYaml: 'recovery: { attempts: 3, backoff: 200ms, verifyTimeout: 3s }',
      nodeFields: (id, sim) =>
        `recovery: { kind: command, command: [node, "${REVIVE}", "${sim.controlUrl}", ${id}, "${runsFile}", "${join(dir, 'no-fail-flag')}", "${delayMs}"], timeout: 10s }`,
    }),
  );
  const processes = [0, 1].map(() =>
    startCli(['start', '--role', 'scheduler,worker', '--config', configPath]),
  );
  cleanups.push(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await simulator.close();
    const redis = connectTestRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  const redis = connectTestRedis();
  cleanups.push(async () => redis.disconnect());
  const store = new NodeStore(redis, prefix);
  const nodeStatus = async () => (await store.read('sim-1')).state.status;
  await waitFor(async () => (await nodeStatus()) === 'healthy', 'sim-1 healthy', 15_000);
  return {
    simulator,
    configPath,
    prefix,
    processes,
    nodeStatus,
    runs: () => readFileSync(runsFile, 'utf8').split('\n').filter(Boolean),
  };
}

describe('recovery across processes', () => {
  it('runs the action exactly once with two processes, and the node is healthy again', async () => {
    const f = await fleet(0);
    const killedAt = Date.now();
    await f.simulator.setMode('sim-1', 'dead');
    await waitFor(() => f.runs().length > 0, 'the action to run', 15_000);
    await waitFor(async () => (await f.nodeStatus()) === 'healthy', 'sim-1 healthy again', 15_000);
    console.log(`two processes: kill -> healthy ${Date.now() - killedAt} ms`);
    expect(f.runs()).toHaveLength(1);
  });

  it('finishes a recovery elsewhere when the process running it is killed', async () => {
    const f = await fleet(1500);
    await f.simulator.setMode('sim-1', 'dead');
    const [holder] = await waitFor(() => (f.runs().length ? f.runs() : null), 'the action to start');
    const victim = f.processes.find((p) => String(p.child.pid) === holder);
    expect(victim).toBeDefined();
    victim?.child.kill('SIGKILL');
    const survivor = f.processes.find((p) => p !== victim);
    await waitFor(
      () => f.runs().some((pid) => pid === String(survivor?.child.pid)),
      'the survivor to run it',
      30_000,
    ).catch((e) => {
      console.log('SURVIVOR', survivor?.output().slice(-6000));
      throw e;
    });
    await waitFor(async () => (await f.nodeStatus()) === 'healthy', 'sim-1 healthy again', 15_000);
  }, 60_000);
});

describe('gpu-mesh recover, silence and unsilence', () => {
  it('recovers a healthy node on demand and prints the outcome', async () => {
    const f = await fleet(0);
    const result = await runCli(['recover', 'sim-1', '--config', f.configPath], {}, 30_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sim-1: recovered: .*exited 0/);
    expect(f.runs()).toHaveLength(1);
  });

  it('silences a node, shows it in status, and unsilences it', async () => {
    const f = await fleet(0);
    const silenced = await runCli([
      'silence',
      'sim-1',
      '--for',
      '2h',
      '--reason',
      'driver upgrade',
      '--config',
      f.configPath,
    ]);
    expect(silenced.code).toBe(0);
    expect(silenced.stdout).toMatch(/sim-1: silenced until .* \(driver upgrade\)/);
    expect(
      (JSON.parse((await runCli(['status', '--json', '--config', f.configPath])).stdout) as MeshView).nodes[0]
        ?.silenced,
    ).toBe(true);
    const table = await runCli(['status', '--config', f.configPath]);
    expect(table.stdout).toMatch(/sim-1\s+healthy \(silenced\)/);
    const unsilenced = await runCli(['unsilence', 'sim-1', '--config', f.configPath]);
    expect(unsilenced.stdout).toContain('silence removed');
    expect(
      (JSON.parse((await runCli(['status', '--json', '--config', f.configPath])).stdout) as MeshView).nodes[0]
        ?.silenced,
    ).toBe(false);
  }, 60_000);

  it('refuses to recover a node with no recovery configured, with exit 2', async () => {
    const path = writeTempConfig('nodes:\n  - { id: plain, url: "http://127.0.0.1:9" }\n');
    const result = await runCli(['recover', 'plain', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no recovery configured');
  });

  it('rejects a bad silence duration with exit 2', async () => {
    const result = await runCli(['silence', 'sim-1', '--for', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('gpu-mesh: --for: not a duration: "soon" (use e.g. 30m, 2h, 1d)');
  });
});
