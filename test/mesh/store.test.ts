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
});
