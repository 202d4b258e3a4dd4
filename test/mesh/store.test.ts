import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCheck, type Thresholds } from '../../src/mesh/state.js';
import { NodeStore } from '../../src/mesh/store.js';
import type { ProbeResult } from '../../src/mesh/types.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';

const thresholds: Thresholds = {
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 1000, failAfter: 2 },
};
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
      const outcome = applyCheck('n1', current, at, failed, thresholds, 86_400_000);
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
      const outcome = applyCheck('n2', current, at, failed, thresholds, 86_400_000);
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
