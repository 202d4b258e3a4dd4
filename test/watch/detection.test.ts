import { afterEach, describe, expect, it } from 'vitest';
import { AlertingState } from '../../src/alerts/alerting-state.js';
import { NodeStore } from '../../src/mesh/store.js';
import { readWatchStates } from '../../src/mesh/watch-states.js';
import { startTestMesh, type TestMesh } from '../helpers/mesh.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import {
  failedChecks,
  logLines,
  nodeJson,
  SLOW_SCHEDULE,
  startMeshAt,
  startTcpProxy,
  type TcpProxy,
  triggeredCount,
  watchJobsByNode,
} from './support.js';

const redis = connectTestRedis();
let mesh: TestMesh | undefined;
afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
});

async function statusOf(t: TestMesh, id: string): Promise<string> {
  return (await new NodeStore(redis, t.prefix).read(id)).state.status;
}

async function healthyAndWatched(t: TestMesh, ids: readonly string[]): Promise<void> {
  await waitFor(async () => {
    const states = await readWatchStates(redis, t.prefix, ids);
    for (const id of ids)
      if (states.get(id) !== 'connected' || (await statusOf(t, id)) !== 'healthy') return false;
    return true;
  }, `${ids.length} nodes healthy and watched`);
}

describe('instant crash detection (interval 30 s, retryInterval 250 ms, unhealthyAfter 3)', () => {
  it('marks a killed node unhealthy in under 1.5 s with the watch', async () => {
    const t = await startTestMesh({ nodes: 2, checks: SLOW_SCHEDULE });
    mesh = t;
    await healthyAndWatched(t, ['sim-1', 'sim-2']);
    const killedAt = Date.now();
    await t.simulator.setMode('sim-1', 'dead');
    await waitFor(async () => (await statusOf(t, 'sim-1')) === 'unhealthy', 'sim-1 unhealthy', 1500, 10);
    const took = Date.now() - killedAt;
    console.log(`watch: kill -> unhealthy in ${took} ms`);
    expect(took).toBeLessThan(1500);
    expect(await statusOf(t, 'sim-2')).toBe('healthy');
    expect(logLines(t.logs, /^watch on sim-1 fired: connection reset$/)).toHaveLength(1);
    expect(await triggeredCount(redis, t.prefix, 'sim-1')).toBe(1);
  });

  it('with `watch: false`, a killed node is still healthy after 1.5 s (it waits for the interval)', async () => {
    const t = await startTestMesh({
      nodes: 1,
      checks: SLOW_SCHEDULE,
      extraYaml: 'keepalive: { watch: false }',
    });
    mesh = t;
    await waitFor(async () => (await statusOf(t, 'sim-1')) === 'healthy', 'sim-1 healthy');
    expect(t.simulator.requests('sim-1')['/']).toBeUndefined();
    expect((await nodeJson(t, 'sim-1')).watch).toBe('off');
    const killedAt = Date.now();
    await t.simulator.setMode('sim-1', 'dead');
    await waitFor(() => Date.now() - killedAt >= 1500, '1.5 s after the kill', 3000, 50);
    expect(await statusOf(t, 'sim-1')).toBe('healthy');
    expect(logLines(t.logs, /^watch on/)).toEqual([]);
  });

  it('shows `watch: connected` in the Node JSON, then `reconnecting` after a kill', async () => {
    const t = await startTestMesh({ nodes: 1, checks: SLOW_SCHEDULE });
    mesh = t;
    await waitFor(async () => (await nodeJson(t, 'sim-1')).watch === 'connected', 'watch: connected');
    await t.simulator.setMode('sim-1', 'dead');
    await waitFor(async () => (await nodeJson(t, 'sim-1')).watch === 'reconnecting', 'watch: reconnecting');
    await t.simulator.setMode('sim-1', 'healthy');
    await waitFor(async () => (await nodeJson(t, 'sim-1')).watch === 'connected', 'connected again', 5000);
  });
});

describe('a node behind a proxy that closes idle connections every second', () => {
  it('changes no status, raises no alert, and costs at most one check per close', async () => {
    const proxies: TcpProxy[] = [];
    const t = await startMeshAt(1, async (simulator, id) => {
      const proxy = await startTcpProxy(simulator.nodes.find((n) => n.id === id)?.url ?? '', 1000);
      proxies.push(proxy);
      return proxy.url;
    });
    mesh = t;
    t.closeExtra.push(...proxies.map((proxy) => () => proxy.close()));
    await healthyAndWatched(t, ['sim-1']);
    const logsBefore = t.logs.length;
    const checksBefore = t.simulator.requests('sim-1')['/api/version'] ?? 0;
    const closesBefore = proxies[0]?.idleCloses() ?? 0;
    const started = Date.now();
    await waitFor(() => Date.now() - started >= 4500, '4.5 s of idle closes', 6000, 100);
    const closes = (proxies[0]?.idleCloses() ?? 0) - closesBefore;
    const checks = (t.simulator.requests('sim-1')['/api/version'] ?? 0) - checksBefore;
    const during = t.logs.slice(logsBefore);
    const fires = logLines(during, /^watch on sim-1 fired/).length;
    console.log(
      `idle-closing proxy: ${closes} closes (watch and probe), ${fires} fires, ${checks} checks in 4.5 s`,
    );
    expect(fires).toBeGreaterThanOrEqual(2);
    expect(fires).toBeLessThanOrEqual(closes);
    expect(checks).toBeGreaterThan(0);
    // One check per fire at most, plus the node's next scheduled check, whose slot (somewhere in
    // its 30 s interval) may fall in these 4.5 s.
    expect(checks).toBeLessThanOrEqual(fires + 1);
    const node = await nodeJson(t, 'sim-1');
    expect(node).toMatchObject({ status: 'healthy', consecutiveFailures: 0, incidentId: null });
    expect(during.filter((line) => line.includes('"alert":'))).toEqual([]);
    expect(during.filter((line) => line.includes('"to":'))).toEqual([]);
  });
});

describe('200 nodes dropped at once (a network blip) and revived', () => {
  it('triggers one check per node, spreads the reconnects, and ends with every watch connected', async () => {
    const t = await startTestMesh({ nodes: 200, checks: SLOW_SCHEDULE });
    mesh = t;
    const ids = t.simulator.nodes.map((n) => n.id);
    await healthyAndWatched(t, ids);
    await Promise.all(ids.map((id) => t.simulator.setMode(id, 'dead')));
    await waitFor(() => logLines(t.logs, /^watch on .* fired/).length >= 200, 'every watch to fire', 5000);
    // Their 200 checks fail and record their node's failure start in the mass-failure book at the
    // same moment: each one lands (one mass failure naming all 200), and no check job fails for it.
    const alerting = new AlertingState(redis, t.prefix);
    const inMass = async () =>
      new Set((await alerting.massBook()).episodes.flatMap((e) => e.members.map((m) => m.nodeId))).size;
    await waitFor(async () => (await inMass()) === 200, 'all 200 nodes in one mass failure', 15_000, 100);
    expect((await alerting.massBook()).episodes).toHaveLength(1);
    expect(await failedChecks(redis, t.prefix)).toEqual([]);
    await waitFor(
      async () =>
        [...(await readWatchStates(redis, t.prefix, ids)).values()].every((s) => s === 'reconnecting'),
      'every watch reconnecting',
    );
    const revivedAt = Date.now();
    await Promise.all(ids.map((id) => t.simulator.setMode(id, 'healthy')));
    await waitFor(
      async () => [...(await readWatchStates(redis, t.prefix, ids)).values()].every((s) => s === 'connected'),
      'every watch connected again',
      20_000,
      100,
    );

    const jobs = await watchJobsByNode(redis, t.prefix);
    for (const id of ids) expect(jobs.get(id) ?? 0, id).toBe(1);
    expect(logLines(t.logs, /^watch on .* fired/)).toHaveLength(200);

    const reconnects = logLines(t.logs, /^watch on .* connected again$/).map((line) => line.time);
    expect(reconnects).toHaveLength(200);
    const spreadMs = Math.max(...reconnects) - Math.min(...reconnects);
    const perTenMs = new Map<number, number>();
    for (const time of reconnects)
      perTenMs.set(Math.floor(time / 10), (perTenMs.get(Math.floor(time / 10)) ?? 0) + 1);
    const sameInstant = Math.max(...perTenMs.values());
    console.log(
      `blip: reconnects spread over ${spreadMs} ms after revival (+${Date.now() - revivedAt} ms), at most ${sameInstant} in one 10 ms`,
    );
    expect(spreadMs).toBeGreaterThan(500);
    expect(sameInstant).toBeLessThan(100);
  }, 60_000);
});
