import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeStore } from '../../src/mesh/store.js';
import { readWatchStates } from '../../src/mesh/watch-states.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type CliProcess, startCli, writeTempConfig } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { SLOW_SCHEDULE, startTcpProxy, type TcpProxy, triggeredCount, watchJobsByNode } from './support.js';

describe('two scheduler processes (built CLI), each holding its own watches', () => {
  const redis = connectTestRedis();
  const prefix = uniquePrefix();
  const processes: CliProcess[] = [];
  let simulator: Simulator;
  let proxy: TcpProxy;
  const store = () => new NodeStore(redis, prefix);
  const versionChecks = (id: string) => simulator.requests(id)['/api/version'] ?? 0;
  const fired = (p: CliProcess, id: string) => p.output().split(`watch on ${id} fired`).length - 1;

  beforeAll(async () => {
    simulator = await startSimulator({ count: 3 });
    // sim-3 sits behind a proxy whose connections the test can drop while the node stays up.
    proxy = await startTcpProxy(simulator.nodes[2]?.url ?? '');
    const nodes = simulator.nodes.map((node) => (node.id === 'sim-3' ? { ...node, url: proxy.url } : node));
    // Scheduled checks an hour apart: the only checks in a test's window are the ones a drop triggers
    // (each node's scheduled slot has its own phase, which at 30 s fell inside a window now and then).
    const checks = SLOW_SCHEDULE.replace('interval: 30s', 'interval: 1h');
    const configPath = writeTempConfig(meshYaml(prefix, { ...simulator, nodes }, { checks }));
    for (let i = 0; i < 2; i++)
      processes.push(startCli(['start', '--role', 'scheduler,worker', '--config', configPath]));
    const ids = simulator.nodes.map((n) => n.id);
    // Both processes hold a watch on every node: each asked `HEAD /` once.
    await waitFor(
      () => ids.every((id) => (simulator.requests(id)['/'] ?? 0) >= 2),
      'both processes watching',
      20_000,
    );
    await waitFor(async () => {
      const states = await store().readMany(ids);
      const watch = await readWatchStates(redis, prefix, ids);
      return (
        states.every((s) => s.state.status === 'healthy') &&
        [...watch.values()].every((w) => w === 'connected')
      );
    }, 'every node healthy and watched');
  }, 30_000);

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await proxy?.close();
    await simulator?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('checks a node once when both processes see its connections drop', async () => {
    const before = versionChecks('sim-3');
    proxy.dropAll();
    await waitFor(() => processes.every((p) => fired(p, 'sim-3') === 1), 'both processes to fire');
    await waitFor(() => versionChecks('sim-3') > before, 'the triggered check');
    const settledAt = Date.now();
    await waitFor(() => Date.now() - settledAt >= 1000, 'a second for a duplicate to show', 2000, 50);
    expect(versionChecks('sim-3') - before).toBe(1);
    expect(await triggeredCount(redis, prefix, 'sim-3')).toBe(1);
  });

  it('after one process is SIGKILLed, the other still detects a killed node fast, once', async () => {
    const [victim, survivor] = processes;
    if (!victim || !survivor) throw new Error('two processes expected');
    victim.child.kill('SIGKILL');
    await victim.exited;

    const killedAt = Date.now();
    await simulator.setMode('sim-1', 'dead');
    await waitFor(
      async () => (await store().read('sim-1')).state.status === 'unhealthy',
      'sim-1 unhealthy',
      1500,
      10,
    );
    const took = Date.now() - killedAt;
    console.log(`after a SIGKILL of the other process: kill -> unhealthy in ${took} ms`);
    expect(took).toBeLessThan(1500);
    expect(fired(survivor, 'sim-1')).toBe(1);
    expect((await watchJobsByNode(redis, prefix)).get('sim-1')).toBe(1);

    const before = versionChecks('sim-3');
    proxy.dropAll();
    await waitFor(() => fired(survivor, 'sim-3') === 2, 'the survivor to fire');
    await waitFor(() => versionChecks('sim-3') > before, 'the triggered check');
    const settledAt = Date.now();
    await waitFor(() => Date.now() - settledAt >= 1000, 'a second for a duplicate to show', 2000, 50);
    expect(versionChecks('sim-3') - before).toBe(1);
    expect(await triggeredCount(redis, prefix, 'sim-3')).toBe(2);
  });
});
