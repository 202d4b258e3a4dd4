import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCheck, type Thresholds } from '../../src/mesh/state.js';
import { HISTORY_LENGTH, NodeStore } from '../../src/mesh/store.js';
import type { ProbeResult } from '../../src/mesh/types.js';
import { uptimeMark } from '../../src/mesh/uptime.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';

const thresholds: Thresholds = {
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 1000, failAfter: 2 },
};
const DAY = 86_400_000;
const failed: ProbeResult = {
  ok: false,
  latencyMs: 2,
  failure: 'connection',
  error: 'connection refused',
  deep: null,
};

describe('NodeStore', () => {
  let redis: Redis;
  const prefix = uniquePrefix();

  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  function applyFailure(store: NodeStore, at: number) {
    return store.update('n1', (current) => {
      const outcome = applyCheck('n1', current, at, failed, thresholds);
      return {
        state: outcome.state,
        transitions: outcome.transitions,
        record: { at, ok: false, latencyMs: 2, error: 'connection refused' },
        extra: outcome,
        unchanged: outcome.stale,
      };
    });
  }

  it('applies concurrent checks of one node without double-counting or repeating a transition', async () => {
    // Separate connections, as separate worker processes would have.
    const connections = Array.from({ length: 5 }, () => connectTestRedis());
    const stores = connections.map((connection) => new NodeStore(connection, prefix));
    const base = Date.now();
    const changes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => applyFailure(stores[i % stores.length] as NodeStore, base + i)),
    );
    for (const connection of connections) connection.disconnect();

    const { state } = await new NodeStore(redis, prefix).read('n1');
    const applied = changes.filter((change) => !change.extra.stale).length;
    expect(state.checks).toBe(applied);
    expect(state.consecutiveFailures).toBe(applied);
    const transitions = changes.flatMap((change) => change.transitions.map((t) => t.to));
    expect(transitions.filter((to) => to === 'degraded')).toHaveLength(1);
    expect(transitions.filter((to) => to === 'unhealthy')).toHaveLength(1);
    const stream = await redis.xrange(`${prefix}:transitions`, '-', '+');
    expect(stream).toHaveLength(2);
    expect(await new NodeStore(redis, prefix).history('n1')).toHaveLength(applied);
  });

  it('reads many nodes in order, unknown for nodes never checked', async () => {
    const states = await new NodeStore(redis, prefix).readMany(['nobody', 'n1']);
    expect(states.map((s) => s.state.status)).toEqual(['unknown', 'unhealthy']);
  });

  it('starts from what it last saw, and decides again when another process wrote since', async () => {
    const isolated = uniquePrefix();
    const mine = new NodeStore(redis, isolated);
    const other = connectTestRedis();
    const theirs = new NodeStore(other, isolated);
    const decide = (at: number) => (current: Parameters<typeof applyCheck>[1]) => {
      const outcome = applyCheck('n2', current, at, failed, thresholds);
      return { state: outcome.state, transitions: outcome.transitions, extra: outcome };
    };
    try {
      const base = Date.now();
      const [known] = await mine.lastKnown(['n2']);
      expect(known?.version).toBe(0);
      // Another process checks the node twice; this one still remembers version 0.
      await theirs.update('n2', decide(base));
      await theirs.update('n2', decide(base + 1));
      const [stale] = await mine.lastKnown(['n2']);
      expect(stale?.version).toBe(0);

      const [change] = await mine.updateMany([{ nodeId: 'n2', known: stale, decide: decide(base + 2) }]);
      expect(change?.state.checks).toBe(3);
      // Decided on the current state: its third failure in a row, not a first one.
      expect(change?.transitions.map((t) => t.to)).toEqual(['unhealthy']);
      const { version, state } = await theirs.read('n2');
      expect(version).toBe(3);
      expect(state.consecutiveFailures).toBe(3);
      // What it wrote is what it now remembers: no read before its next check.
      expect((await mine.lastKnown(['n2']))[0]?.version).toBe(3);
    } finally {
      await dropPrefix(redis, isolated);
      other.disconnect();
    }
  });
});

describe('NodeStore writes on change', () => {
  let redis: Redis;
  const prefix = uniquePrefix();
  const passed: ProbeResult = {
    ok: true,
    latencyMs: 3,
    version: '0.5.0',
    models: 1,
    installedModels: ['llama3'],
    loadedModels: [],
    deep: null,
    signals: [],
  };

  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  function check(store: NodeStore, nodeId: string, at: number, result: ProbeResult, retainMs = DAY) {
    return store.update(nodeId, (current) => {
      const outcome = applyCheck(nodeId, current, at, result, thresholds);
      return {
        state: outcome.state,
        transitions: outcome.transitions,
        record: { at, ok: outcome.passed, latencyMs: result.latencyMs, error: outcome.state.lastError },
        uptime: uptimeMark(at, outcome.passed, retainMs),
        extra: outcome,
        unchanged: outcome.stale,
      };
    });
  }

  it('leaves the document alone when a check changes only counters, and reads them back', async () => {
    const store = new NodeStore(redis, prefix);
    const base = Date.now();
    await check(store, 'w1', base, passed);
    const document = await redis.hget(`${prefix}:node:w1`, 's');
    for (let i = 1; i <= 3; i++) await check(store, 'w1', base + i, { ...passed, latencyMs: 3 + i });
    expect(await redis.hget(`${prefix}:node:w1`, 's')).toBe(document);

    const { version, state } = await new NodeStore(redis, prefix).read('w1');
    expect(version).toBe(4);
    expect(state).toMatchObject({
      status: 'healthy',
      checks: 4,
      successes: 4,
      consecutiveSuccesses: 4,
      latencyMs: 6,
      lastCheckAt: base + 3,
      installedModels: ['llama3'],
    });

    await check(store, 'w1', base + 4, failed);
    expect(await redis.hget(`${prefix}:node:w1`, 's')).not.toBe(document);
    const after = (await new NodeStore(redis, prefix).read('w1')).state;
    expect(after).toMatchObject({
      status: 'degraded',
      lastError: 'connection refused',
      consecutiveFailures: 1,
    });
    expect(await redis.hget(`${prefix}:not-healthy`, 'w1')).toBe('degraded');
  });

  it('lists a node that is not healthy from its first write, and drops it when it is', async () => {
    const store = new NodeStore(redis, prefix);
    const lenient = { ...thresholds, degradedAfter: 2 };
    const at = Date.now();
    await store.update('w2', (current) => {
      const outcome = applyCheck('w2', current, at, failed, lenient);
      return { state: outcome.state, transitions: outcome.transitions, extra: outcome };
    });
    expect(await redis.hget(`${prefix}:not-healthy`, 'w2')).toBe('unknown');
    await check(store, 'w2', at + 1, passed);
    expect(await redis.hget(`${prefix}:not-healthy`, 'w2')).toBeNull();
  });

  it('counts uptime per bucket and lets buckets outside the retain window go', async () => {
    const store = new NodeStore(redis, prefix);
    const retainMs = 48 * 1000; // one-second buckets
    const base = Math.floor(Date.now() / 1000) * 1000;
    await check(store, 'w3', base, passed, retainMs);
    await check(store, 'w3', base + 10, failed, retainMs);
    await check(store, 'w3', base + 1000, passed, retainMs);
    const [first] = await store.readWithUptime(['w3']);
    expect(first?.uptime).toEqual([
      [base, 1, 2],
      [base + 1000, 1, 1],
    ]);
    // A check a whole retain window later starts a bucket and drops the two expired ones.
    await check(store, 'w3', base + retainMs + 1000, passed, retainMs);
    const [later] = await store.readWithUptime(['w3']);
    expect(later?.uptime).toEqual([[base + retainMs + 1000, 1, 1]]);
    expect(later?.stored.state.checks).toBe(4);
  });

  it('keeps the newest HISTORY_LENGTH checks, trimming in steps', async () => {
    const store = new NodeStore(redis, prefix);
    const base = Date.now();
    for (let i = 0; i < HISTORY_LENGTH + 60; i++) await check(store, 'w4', base + i, passed);
    const history = await store.history('w4');
    expect(history).toHaveLength(HISTORY_LENGTH);
    expect(history[0]?.at).toBe(base + HISTORY_LENGTH + 59);
    expect(await redis.llen(`${prefix}:history:w4`)).toBeLessThanOrEqual(HISTORY_LENGTH + 50);
  });
});
