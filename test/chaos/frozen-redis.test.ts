/**
 * A frozen Redis: the process stopped (SIGSTOP), as a paused VM or container, a stuck disk or a
 * network black hole leaves it. Connections stay open and nothing is ever answered, so nothing
 * fails: every wait on Redis is a wait without end. gpu-mesh must still stop within its deadline
 * when asked, and must carry on by itself once Redis answers again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStore } from '../../src/mesh/store.js';
import { settlesWithin } from '../../src/runtime/shutdown.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import type { CliProcess } from '../helpers/cli.js';
import { writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import {
  type ChaosRedis,
  type Cleanup,
  chaosYaml,
  runCleanups,
  startChaosRedis,
  startMesh,
  tail,
} from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const PREFIX = 'frozen';

interface FrozenCase {
  redis: ChaosRedis;
  simulator: Simulator;
  mesh: CliProcess;
  store: NodeStore;
  /** SIGSTOPs the Redis; `thaw` (also run at cleanup) SIGCONTs it. */
  freeze(): void;
  thaw(): void;
}

async function startCase(): Promise<FrozenCase> {
  const simulator = await startSimulator({ count: 2 });
  cleanups.push(() => simulator.close());
  const redis = await startChaosRedis(cleanups);
  const pid = redisPid(String(await redis.client.info('server')));
  const thaw = () => process.kill(pid, 'SIGCONT');
  cleanups.push(thaw); // before redis.stop runs: a stopped redis-server never sees its SIGTERM
  const config = writeTempConfig(
    chaosYaml(redis.url, PREFIX, simulator, [
      'checks: { interval: 500ms, retryInterval: 200ms, timeout: 400ms }',
      'keepalive: { interval: 1s, watch: false }',
      'server: { host: 127.0.0.1, port: 0 }',
    ]),
  );
  // Every role of a default start, the HTTP server included.
  const mesh = startMesh(cleanups, ['--config', config]);
  const store = new NodeStore(redis.client, PREFIX);
  await waitFor(async () => (await store.read('sim-1')).state.checks >= 2, 'checks to run', 20_000, 100);
  return { redis, simulator, mesh, store, freeze: () => process.kill(pid, 'SIGSTOP'), thaw };
}

function redisPid(info: string): number {
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no process_id in INFO server');
  return pid;
}

describe('chaos: Redis frozen (SIGSTOP)', () => {
  it('ends `gpu-mesh start` within 10 s of SIGTERM, exit 1: the shutdown had to be cut short', async () => {
    const c = await startCase();
    c.freeze();
    const asked = Date.now();
    c.mesh.child.kill('SIGTERM');
    const ended = await settlesWithin(c.mesh.exited, 10_000);
    const tookMs = Date.now() - asked;
    expect(ended, `still running 10 s after SIGTERM:\n${tail(c.mesh)}`).toBe(true);
    expect(await c.mesh.exited, tail(c.mesh)).toBe(1);
    expect(tookMs).toBeLessThan(10_000);
    expect(c.mesh.output()).toContain('shutdown cut short');
  });

  it('resumes checking by itself once Redis is thawed (SIGCONT)', async () => {
    const c = await startCase();
    c.freeze();
    const frozenAt = Date.now();
    // Long enough for checks, lock renewals and the dispatcher all to be parked on Redis.
    await waitFor(() => Date.now() - frozenAt > 5000, 'five seconds frozen', 6000, 100);
    c.thaw();
    const thawedAt = Date.now();
    for (const id of ['sim-1', 'sim-2']) {
      await waitFor(
        async () => ((await c.store.read(id)).state.lastCheckAt ?? 0) > thawedAt + 1000,
        `${id} checked again after the thaw`,
        20_000,
        100,
      );
    }
    expect(c.mesh.child.exitCode).toBeNull();
    // Still healthy: a freeze of Redis is not a failure of the nodes.
    expect((await c.store.read('sim-1')).state.status).toBe('healthy');
    const shutdown = Date.now();
    c.mesh.child.kill('SIGTERM');
    expect(await c.mesh.exited).toBe(0);
    expect(Date.now() - shutdown).toBeLessThan(10_000);
  });
});
