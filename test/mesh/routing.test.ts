import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeRouting, routingChannel } from '../../src/mesh/routing.js';
import { applyCheck, type Thresholds } from '../../src/mesh/state.js';
import { NodeStore } from '../../src/mesh/store.js';
import type { ProbeResult } from '../../src/mesh/types.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const thresholds: Thresholds = {
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 1000, failAfter: 2 },
};

function passed(installed: string[], loaded: string[], latencyMs = 5): ProbeResult {
  return {
    ok: true,
    latencyMs,
    version: '0.12.3',
    models: installed.length,
    installedModels: installed,
    loadedModels: loaded.map((name) => ({ name, size: 1, sizeVram: 1, expiresAt: null })),
    deep: null,
    signals: [],
  };
}

describe('routing changes', () => {
  let redis: Redis;
  let subscriber: Redis;
  const prefix = uniquePrefix();
  const messages: NodeRouting[] = [];

  beforeAll(async () => {
    redis = connectTestRedis();
    subscriber = connectTestRedis();
    subscriber.on('message', (_channel, text: string) => messages.push(JSON.parse(text) as NodeRouting));
    await subscriber.subscribe(routingChannel(prefix));
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
    subscriber.disconnect();
  });

  const check = (store: NodeStore, at: number, result: ProbeResult) =>
    store.update('n1', (current) => {
      const outcome = applyCheck('n1', current, at, result, thresholds);
      return { state: outcome.state, transitions: outcome.transitions, extra: null };
    });

  it('are published with the write that makes them, and only then', async () => {
    const store = new NodeStore(redis, prefix);
    const base = Date.now();
    await check(store, base, passed(['a:latest', 'b:latest'], []));
    await waitFor(() => messages.length === 1, 'the first routing message');
    expect(messages[0]).toEqual({
      id: 'n1',
      v: 1,
      status: 'healthy',
      installed: ['a:latest', 'b:latest'],
      loaded: [],
      latencyMs: 5,
      ollama: '0.12.3',
    });
    // The same models with another latency route the same: nothing is published...
    await check(store, base + 1, passed(['a:latest', 'b:latest'], [], 9));
    // ...and a model loaded is, after it (pub/sub keeps the order of one connection's writes).
    await check(store, base + 2, passed(['a:latest', 'b:latest'], ['b:latest']));
    await waitFor(() => messages.length >= 2, 'the loaded-model message');
    expect(messages.map((message) => message.loaded)).toEqual([[], [{ name: 'b:latest', sizeVram: 1 }]]);
    expect(messages[1]?.v).toBe(3);

    await check(store, base + 3, {
      ok: false,
      latencyMs: 1,
      failure: 'connection',
      error: 'refused',
      deep: null,
    });
    await waitFor(() => messages.length >= 3, 'the status message');
    expect(messages[2]).toMatchObject({ status: 'degraded', installed: ['a:latest', 'b:latest'] });
  });
});
