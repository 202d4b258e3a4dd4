import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { silenceNode } from '../../src/mesh/silence.js';
import type { NodeView } from '../../src/mesh/view.js';
import type { Simulator } from '../../src/simulator/index.js';
import { startTestMesh, type TestMesh, type TestMeshOptions } from '../helpers/mesh.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const REVIVE = resolve(import.meta.dirname, '../fixtures/revive-node.mjs');
const FAST = '  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms';

interface Scenario {
  t: TestMesh;
  runs: () => string[];
  failFlag: string;
  node: (id: string) => Promise<NodeView>;
}

const meshes: TestMesh[] = [];
afterEach(async () => {
  while (meshes.length) await meshes.pop()?.stop();
});

/** A mesh whose sim-1 is revived by a command action that records each run. */
async function scenario(recoveryYaml: string, options: Partial<TestMeshOptions> = {}): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-recovery-'));
  const runsFile = join(dir, 'runs');
  writeFileSync(runsFile, '');
  const failFlag = join(dir, 'fail');
  const revive = (id: string, simulator: Simulator) =>
    `recovery: { kind: command, command: [node, "${REVIVE}", "${simulator.controlUrl}", ${id}, "${runsFile}", "${failFlag}"], timeout: 5s }`;
  const t = await startTestMesh({
    nodes: 1,
    control: true,
    checks: FAST,
    extraYaml: recoveryYaml,
    nodeFields: revive,
    recoveryLockMs: 2000,
    ...options,
  });
  meshes.push(t);
  return {
    t,
    failFlag,
    runs: () => readFileSync(runsFile, 'utf8').split('\n').filter(Boolean),
    node: async (id) => (await (await fetch(`${t.service.server?.url}/api/nodes/${id}`)).json()) as NodeView,
  };
}

async function healthy(s: Scenario): Promise<void> {
  await waitFor(async () => (await s.node('sim-1')).status === 'healthy', 'sim-1 healthy', 15_000);
}

async function killAndSeeFailing(s: Scenario): Promise<void> {
  await s.t.simulator.setMode('sim-1', 'dead');
  await waitFor(async () => (await s.node('sim-1')).status !== 'healthy', 'sim-1 failing');
}

describe('self-healing', () => {
  it('restarts a killed node with its action and verifies it, under 6 s, running the action once', async () => {
    const s = await scenario('recovery: { attempts: 3, backoff: 200ms, verifyTimeout: 3s }');
    await healthy(s);
    const killedAt = Date.now();
    await killAndSeeFailing(s);
    await healthy(s);
    const tookMs = Date.now() - killedAt;
    console.log(`kill -> healthy: ${tookMs} ms`);
    expect(tookMs).toBeLessThan(6000);
    expect(s.runs()).toHaveLength(1);
    const logs = s.t.logs.join('');
    expect(logs).toContain('"kind":"recovery_started"');
    expect(logs).toMatch(/"to":"recovering"/);
  });

  it('retries a failing action with backoff, then fails for good; a retry of the failed job heals the node', async () => {
    const s = await scenario('recovery: { attempts: 3, backoff: 200ms, verifyTimeout: 1s }');
    await healthy(s);
    writeFileSync(s.failFlag, 'no');
    await s.t.simulator.setMode('sim-1', 'dead');
    const redis = connectTestRedis();
    const queue = new Queue('recovery', { connection: redis, prefix: s.t.prefix });
    try {
      const [failed] = await waitFor(async () => {
        const jobs = await queue.getJobs(['failed']);
        return jobs.length ? jobs : null;
      }, 'a failed recovery job');
      expect(failed?.attemptsMade).toBe(3);
      expect(s.runs()).toHaveLength(3);
      expect(s.t.logs.join('')).toMatch(/"kind":"recovery_failed".*failed after 3 attempt/);
      const logs = await queue.getJobLogs(failed?.id ?? '');
      expect(logs.logs.join('\n')).toContain('restart refused');
      expect((await s.node('sim-1')).status).toBe('unhealthy');

      rmSync(s.failFlag);
      await failed?.retry('failed');
      await healthy(s);
      expect(s.runs()).toHaveLength(4);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it('stops restarting a node that keeps dying: restart_loop after maxPerHour', async () => {
    const s = await scenario(
      'recovery: { attempts: 1, backoff: 100ms, verifyTimeout: 500ms, maxPerHour: 1 }',
    );
    await healthy(s);
    await killAndSeeFailing(s);
    await healthy(s);
    // Past the grace period (one verifyTimeout), the node dies again.
    const recoveredAt = Date.now();
    await waitFor(() => Date.now() - recoveredAt > 600, 'the grace period to pass');
    await s.t.simulator.setMode('sim-1', 'dead');
    await waitFor(() => s.t.logs.join('').includes('"kind":"restart_loop"'), 'restart_loop');
    expect(s.runs()).toHaveLength(1);
    expect((await s.node('sim-1')).status).toBe('unhealthy');
  });

  it('leaves a silenced node alone until the silence expires, then the keepalive sweep heals it', async () => {
    const s = await scenario(
      'recovery: { attempts: 1, backoff: 100ms, verifyTimeout: 2s }\nkeepalive: { interval: 300ms }',
    );
    await healthy(s);
    const redis = connectTestRedis();
    await silenceNode(redis, s.t.prefix, 'sim-1', 3000, 'maintenance', Date.now());
    redis.disconnect();
    const silencedAt = Date.now();
    await s.t.simulator.setMode('sim-1', 'dead');
    await waitFor(async () => (await s.node('sim-1')).status === 'unhealthy', 'sim-1 unhealthy');
    expect((await s.node('sim-1')).silenced).toBe(true);
    expect(s.runs()).toHaveLength(0);
    await healthy(s);
    expect(Date.now() - silencedAt).toBeGreaterThanOrEqual(3000);
    expect(s.runs()).toHaveLength(1);
  });
});
