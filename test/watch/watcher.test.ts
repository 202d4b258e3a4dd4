import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatchState } from '../../src/mesh/view.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { KeepAliveWatcher, type WatcherEvents } from '../../src/watch/watcher.js';
import { waitFor } from '../helpers/wait.js';

interface Recorded extends WatcherEvents {
  fires: { nodeId: string; cause: string }[];
  latest: Map<string, WatchState | null>;
  reconnects: string[];
}

function recorder(): Recorded {
  const recorded: Recorded = {
    fires: [],
    latest: new Map(),
    reconnects: [],
    fired: (nodeId, cause) => recorded.fires.push({ nodeId, cause }),
    state: (nodeId, state) => recorded.latest.set(nodeId, state),
    reconnected: (nodeId) => recorded.reconnects.push(nodeId),
  };
  return recorded;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function watched(
  count: number,
  options: { intervalMs?: number; timeoutMs?: number; random?: () => number } = {},
): Promise<{ simulator: Simulator; watcher: KeepAliveWatcher; events: Recorded }> {
  const simulator = await startSimulator({ count });
  cleanups.push(() => simulator.close());
  const events = recorder();
  const watcher = new KeepAliveWatcher({
    intervalMs: options.intervalMs ?? 60_000,
    events,
    random: options.random,
    tickMs: 20,
  });
  cleanups.push(() => watcher.close());
  watcher.set(simulator.nodes.map((n) => ({ id: n.id, url: n.url, timeoutMs: options.timeoutMs ?? 1000 })));
  await waitFor(
    () => simulator.nodes.every((n) => events.latest.get(n.id) === 'connected'),
    'every watch connected',
  );
  return { simulator, watcher, events };
}

describe('KeepAliveWatcher', () => {
  it('holds one connection per node, asking `HEAD /` once until the next touch', async () => {
    const { simulator } = await watched(3);
    for (const node of simulator.nodes) expect(simulator.requests(node.id)).toEqual({ '/': 1 });
  });

  it('fires once when a watched node dies, not again for each failed reconnect', async () => {
    // random 0: every reconnect comes at the next tick, so many fail while the test waits.
    const { simulator, events } = await watched(2, { random: () => 0 });
    await simulator.setMode('sim-1', 'dead');
    await waitFor(() => events.fires.length === 1, 'the watch to fire');
    expect(events.fires[0]).toMatchObject({ nodeId: 'sim-1' });
    expect(['closed', 'ECONNRESET']).toContain(events.fires[0]?.cause);
    expect(events.latest.get('sim-1')).toBe('reconnecting');
    const quietSince = Date.now();
    await waitFor(() => Date.now() - quietSince > 300, '300 ms of failed reconnects', 1000);
    expect(events.fires).toHaveLength(1);
    expect(events.latest.get('sim-2')).toBe('connected');
  });

  it('is connected again once the node answers, without firing', async () => {
    const { simulator, events } = await watched(1, { random: () => 0 });
    await simulator.setMode('sim-1', 'dead');
    await waitFor(() => events.latest.get('sim-1') === 'reconnecting', 'reconnecting');
    await simulator.setMode('sim-1', 'healthy');
    await waitFor(() => events.latest.get('sim-1') === 'connected', 'connected again');
    expect(events.reconnects).toEqual(['sim-1']);
    expect(events.fires).toHaveLength(1);
  });

  it('touches the held connection every interval without opening another', async () => {
    const { simulator } = await watched(1, { intervalMs: 50 });
    await waitFor(() => (simulator.requests('sim-1')['/'] ?? 0) >= 4, 'three touches');
  });

  it('fires when a touch gets no answer within the timeout (a wedged node)', async () => {
    const { simulator, events } = await watched(1, { intervalMs: 50, timeoutMs: 200 });
    await simulator.setMode('sim-1', 'hang');
    await waitFor(() => events.fires.length === 1, 'the watch to fire');
    expect(events.fires[0]).toEqual({ nodeId: 'sim-1', cause: 'no answer within 200 ms' });
  });

  it('closes the watch of a node taken out, and reports it gone', async () => {
    const { simulator, watcher, events } = await watched(2);
    watcher.set([{ id: 'sim-2', url: simulator.nodes[1]?.url ?? '', timeoutMs: 1000 }]);
    expect(events.latest.get('sim-1')).toBeNull();
    expect(watcher.size).toBe(1);
    await simulator.setMode('sim-1', 'dead');
    await simulator.setMode('sim-2', 'dead');
    await waitFor(() => events.fires.length > 0, 'sim-2 to fire');
    expect(events.fires.map((fire) => fire.nodeId)).toEqual(['sim-2']);
  });

  it('takes a close announced by `Connection: close` as no news', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { connection: 'close' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    let requests = 0;
    server.on('request', () => requests++);
    const events = recorder();
    const watcher = new KeepAliveWatcher({ intervalMs: 100, events, tickMs: 20 });
    cleanups.push(() => watcher.close());
    const { port } = server.address() as AddressInfo;
    watcher.set([{ id: 'n1', url: `http://127.0.0.1:${port}`, timeoutMs: 1000 }]);
    await waitFor(() => requests >= 3, 'three connections, one per interval');
    expect(events.fires).toEqual([]);
    expect(events.latest.get('n1')).toBe('connected');
  });

  it('holds no connection once closed', async () => {
    const { watcher, events } = await watched(2);
    watcher.close();
    expect(watcher.size).toBe(0);
    expect(events.fires).toEqual([]);
  });
});
