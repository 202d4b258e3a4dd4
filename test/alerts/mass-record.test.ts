/**
 * Recording failure starts into the mass-failure book on real Redis, as the health-check jobs of
 * a whole mesh do when it fails at once: many writers at the same moment, none may be dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlertingState } from '../../src/alerts/alerting-state.js';
import { createEmitter } from '../../src/alerts/emit.js';
import {
  emptyBook,
  type MassBook,
  massThreshold,
  recordFailureStart,
} from '../../src/alerts/mass-failure.js';
import type { Alert } from '../../src/alerts/types.js';
import { parseConfigText } from '../../src/config/load.js';
import type { MeshConfig } from '../../src/config/types.js';
import { runEvaluation } from '../../src/jobs/alert-evaluate.js';
import { initialState, type Transition } from '../../src/mesh/state.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const redis = connectTestRedis();
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await dropPrefix(redis, prefix);
});

function meshOf(nodes: number, prefix: string): MeshConfig {
  const yaml = [
    `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
    'checks: { interval: 30s, timeout: 500ms }',
    'nodes:',
    ...Array.from({ length: nodes }, (_, i) => `  - { id: n${i + 1}, url: "http://127.0.0.1:9" }`),
  ].join('\n');
  return parseConfigText(yaml, {}, 'test.yaml').config;
}

function degraded(nodeId: string, since: number): Transition {
  return {
    nodeId,
    from: 'healthy',
    to: 'degraded',
    at: since,
    incidentId: `${nodeId}:${since}`,
    error: 'connection refused',
    misconfigured: false,
    downMs: null,
  };
}

/** The emitter the health-check jobs call, each job on its own connection (as on many workers). */
function emitters(config: MeshConfig, prefix: string, connections: number, raised: Alert[]) {
  return Array.from({ length: connections }, () => {
    const connection = connectTestRedis();
    const emit = createEmitter({
      config: () => config,
      state: new AlertingState(connection, prefix),
      isSilenced: async () => false,
      now: () => T0,
      raise: async (alerts) => {
        raised.push(...alerts);
      },
      logTransition: () => {},
    });
    return { emit, connection };
  });
}

describe('recording failure starts into the mass-failure book', () => {
  it('loses none of 200 nodes failing at the same moment on 20 connections', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const config = meshOf(200, prefix);
    const raised: Alert[] = [];
    const writers = emitters(config, prefix, 20, raised);
    try {
      const results = await Promise.allSettled(
        config.nodes.map((node, i) =>
          writers[i % writers.length]!.emit(node, [degraded(node.id, T0 + (i % 7))], []),
        ),
      );
      const failed = results.flatMap((result) =>
        result.status === 'rejected' ? [String((result.reason as Error).message)] : [],
      );
      expect(failed).toEqual([]);
      expect(raised.filter((alert) => alert.kind === 'degraded')).toHaveLength(200);

      const book = await new AlertingState(redis, prefix).massBook();
      expect(book.episodes).toHaveLength(1);
      const members = new Set(book.episodes[0]?.members.map((member) => member.nodeId));
      expect(members.size).toBe(200);
    } finally {
      for (const writer of writers) writer.connection.disconnect();
    }
  });
});

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the Redis book (one Lua script per failure start)', () => {
  it('decides as recordFailureStart does, step by step, over random sequences', async () => {
    const windowMs = 1000;
    let episodes = 0;
    let folded = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      const state = new AlertingState(redis, prefix);
      const next = random(seed);
      const nodes = 4 + Math.floor(next() * 12);
      const threshold = massThreshold(nodes, { ratio: 0.3 + next() * 0.5, minNodes: 4 });
      let model: MassBook = emptyBook();
      let time = T0;
      const seen: { nodeId: string; since: number }[] = [];
      for (let step = 0; step < 120; step++) {
        const roll = next();
        // Mostly forward in time, sometimes a burst, sometimes late (out of order), sometimes again.
        time += roll < 0.1 ? 2500 : roll < 0.2 ? -300 : Math.floor(next() * 400);
        const again = seen.length > 0 && next() < 0.1;
        const start = again
          ? seen[Math.floor(next() * seen.length)]!
          : { nodeId: `n${1 + Math.floor(next() * nodes)}`, since: time };
        seen.push(start);
        const expected = recordFailureStart(model, start, threshold, windowMs);
        model = expected.book;
        const got = await state.recordFailureStart(start, threshold, windowMs);
        expect(got, `seed ${seed} step ${step}`).toBe(expected.episode?.id ?? null);
        if (got !== null) folded++;
      }
      expect(await state.massBook(), `seed ${seed}`).toEqual(model);
      episodes += model.episodes.length;
    }
    // The sequences did exercise the interesting paths: episodes started, joined and recorded twice.
    expect(episodes).toBeGreaterThanOrEqual(10);
    expect(folded).toBeGreaterThanOrEqual(100);
  });

  it('keeps an incident folded after its episode ended, and ends an episode once', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const state = new AlertingState(redis, prefix);
    for (const [i, id] of ['a', 'b', 'c'].entries())
      await state.recordFailureStart({ nodeId: id, since: T0 + i }, 3, 1000);
    const [episode] = (await state.massBook()).episodes;
    expect(episode?.id).toBe(`mesh:${T0}`);
    const ended = await Promise.all([state.endMassEpisode(episode!), state.endMassEpisode(episode!)]);
    expect(ended.sort()).toEqual([false, true]);
    expect((await state.massBook()).episodes).toEqual([]);
    expect(await state.foldedAmong([`a:${T0}`, `c:${T0 + 2}`, `d:${T0}`])).toEqual(
      new Map([
        [`a:${T0}`, `mesh:${T0}`],
        [`c:${T0 + 2}`, `mesh:${T0}`],
      ]),
    );
    expect((await state.readings('b', `b:${T0 + 1}`)).foldedInto).toBe(`mesh:${T0}`);
    expect(await redis.pttl(state.keys.massFolded(`b:${T0 + 1}`))).toBeGreaterThan(0);
    // Recording the same failure again does not bring it back into play.
    expect(await state.recordFailureStart({ nodeId: 'b', since: T0 + 1 }, 3, 1000)).toBe(`mesh:${T0}`);
    expect(await state.massBook()).toEqual(emptyBook());
  });

  it('does not end an episode that an incident joined after the caller read it', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const state = new AlertingState(redis, prefix);
    for (const [i, id] of ['a', 'b', 'c'].entries())
      await state.recordFailureStart({ nodeId: id, since: T0 + i }, 3, 1000);
    const [read] = (await state.massBook()).episodes;
    await state.recordFailureStart({ nodeId: 'd', since: T0 + 500 }, 3, 1000);
    expect(await state.endMassEpisode(read!)).toBe(false);
    expect((await state.massBook()).episodes[0]?.members.map((m) => m.nodeId)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('the mass_failure of a node that failed twice within the window', () => {
  it('counts distinct nodes, not incidents', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const config = meshOf(8, prefix);
    const raised: Alert[] = [];
    const [writer] = emitters(config, prefix, 1, raised);
    const state = new AlertingState(redis, prefix);
    try {
      const [n1, n2, n3, n4] = config.nodes;
      // n1 fails, comes back, and fails again: two incidents within one window, beside n2..n4.
      for (const [node, since] of [
        [n1, T0],
        [n2, T0 + 100],
        [n3, T0 + 200],
        [n4, T0 + 300],
        [n1, T0 + 900],
      ] as const) {
        await writer!.emit(node!, [degraded(node!.id, since)], []);
      }
      const open = new Map([
        ['n1', T0 + 900],
        ['n2', T0 + 100],
        ['n3', T0 + 200],
        ['n4', T0 + 300],
      ]);
      const evaluated: Alert[] = [];
      await runEvaluation({
        config: () => config,
        store: {
          notHealthy: async () => new Map([...open.keys()].map((id) => [id, 'degraded'])),
          readMany: async (ids) =>
            ids.map((id) => ({
              version: 1,
              state: {
                ...initialState(),
                status: 'degraded' as const,
                checks: 3,
                failingSince: open.get(id) ?? null,
                incidentId: `${id}:${open.get(id)}`,
                statusChangedAt: open.get(id) ?? null,
              },
            })),
        },
        silences: { silenceEnds: async () => new Map<string, number>() },
        state,
        now: () => T0 + 60_000,
        raise: async (alerts) => {
          evaluated.push(...alerts);
        },
        evaluateAt: async () => {},
      });
      const mass = evaluated.filter((alert) => alert.kind === 'mass_failure');
      expect(mass).toHaveLength(1);
      expect(mass[0]?.title).toBe('Mass failure: 4 of 8 nodes failed at once');
      expect(mass[0]?.message.match(/\(n1\)/g)).toHaveLength(1);
    } finally {
      writer?.connection.disconnect();
    }
  });
});
