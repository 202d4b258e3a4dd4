import { describe, expect, it } from 'vitest';
import { type Choice, chooseNode, type RouteRequest } from '../../src/gateway/choose.js';
import { hashText } from '../../src/gateway/hash.js';
import { fullModelName } from '../../src/gateway/model-name.js';
import { promptPrefix } from '../../src/gateway/prompt-prefix.js';
import type { RouteNode } from '../../src/gateway/types.js';

const MODEL = 'llama3.2:latest';

function node(
  id: string,
  fields: Partial<Omit<RouteNode, 'installed' | 'loaded'>> & {
    installed?: string[];
    loaded?: string[];
  } = {},
): RouteNode {
  const { installed = [MODEL], loaded = [], ...rest } = fields;
  return {
    id,
    url: `http://${id}:11434`,
    enabled: true,
    weight: 1,
    maxInFlight: 0,
    status: 'healthy',
    silenced: false,
    latencyMs: 10,
    idHash: hashText(id),
    ...rest,
    installed: new Set(installed),
    loaded: new Set(loaded),
  };
}

function request(fields: Partial<RouteRequest> = {}): RouteRequest {
  return { model: MODEL, strategy: 'least-busy', keyHash: 0, maxLoad: 1.25, turn: 0, tried: null, ...fields };
}

const load = (entries: Record<string, number> = {}) => new Map(Object.entries(entries));

function chosen(choice: Choice): string {
  return choice.kind === 'node' ? choice.node.id : choice.kind;
}

describe('chooseNode', () => {
  it('answers unknown_model when no enabled node has the model', () => {
    const nodes = [node('a', { installed: ['other:latest'] }), node('b', { enabled: false })];
    expect(chooseNode(nodes, load(), request()).kind).toBe('unknown_model');
  });

  it.each([
    ['unhealthy', node('a', { status: 'unhealthy' })],
    ['recovering', node('a', { status: 'recovering' })],
    ['never checked', node('a', { status: 'unknown' })],
    ['silenced', node('a', { silenced: true })],
  ])('answers no_node when the only node with the model is %s', (_why, only) => {
    expect(chooseNode([only], load(), request()).kind).toBe('no_node');
  });

  it('passes over a node at its maxInFlight, and uses it again below', () => {
    const capped = node('a', { maxInFlight: 2 });
    expect(chosen(chooseNode([capped], load({ a: 2 }), request()))).toBe('no_node');
    expect(chosen(chooseNode([capped], load({ a: 1 }), request()))).toBe('a');
    expect(chosen(chooseNode([capped, node('b')], load({ a: 2, b: 9 }), request()))).toBe('b');
  });

  it('prefers a node with the model loaded, however busy, over a cold one', () => {
    const nodes = [node('cold'), node('warm', { loaded: [MODEL] })];
    const choice = chooseNode(nodes, load({ warm: 5 }), request());
    expect(choice).toMatchObject({ kind: 'node', node: { id: 'warm' }, warm: true });
    expect(chooseNode([node('cold')], load(), request())).toMatchObject({ warm: false });
  });

  it('uses a degraded node only when no healthy one qualifies', () => {
    const degraded = node('d', { status: 'degraded', loaded: [MODEL] });
    expect(chosen(chooseNode([degraded, node('h')], load({ h: 50 }), request()))).toBe('h');
    expect(chosen(chooseNode([degraded, node('h', { silenced: true })], load(), request()))).toBe('d');
  });

  it('skips the nodes the request failed on already', () => {
    const nodes = [node('a'), node('b'), node('c')];
    expect(chosen(chooseNode(nodes, load(), request({ tried: new Set(['a', 'b']) })))).toBe('c');
    expect(chosen(chooseNode(nodes, load(), request({ tried: new Set(['a', 'b', 'c']) })))).toBe('no_node');
  });

  describe('least-busy', () => {
    it('takes the fewest requests in flight per unit of weight', () => {
      const nodes = [node('a'), node('b', { weight: 3 })];
      expect(chosen(chooseNode(nodes, load({ a: 1, b: 2 }), request()))).toBe('b');
      expect(chosen(chooseNode(nodes, load({ a: 1, b: 4 }), request()))).toBe('a');
    });

    it('breaks ties by the lower recent latency', () => {
      const nodes = [
        node('slow', { latencyMs: 80 }),
        node('fast', { latencyMs: 5 }),
        node('new', { latencyMs: null }),
      ];
      expect(chosen(chooseNode(nodes, load(), request()))).toBe('fast');
    });
  });

  describe('round-robin', () => {
    it('rotates over the nodes of the best tier', () => {
      const nodes = [node('a'), node('b'), node('c', { status: 'degraded' })];
      const turns = [0, 1, 2, 3].map((turn) =>
        chosen(chooseNode(nodes, load(), request({ strategy: 'round-robin', turn }))),
      );
      expect(turns).toEqual(['a', 'b', 'a', 'b']);
    });
  });

  describe('affinity', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id));
    const affinity = (key: string, inFlight = load(), on = nodes) =>
      chosen(chooseNode(on, inFlight, request({ strategy: 'affinity', keyHash: hashText(key) })));

    it('keeps one prompt prefix on one node, whatever the order of the nodes', () => {
      const first = affinity('You are a helpful assistant.');
      expect(affinity('You are a helpful assistant.', load(), [...nodes].reverse())).toBe(first);
    });

    it('spreads keys over nodes by weight', () => {
      const weighted = [node('a'), node('b'), node('c', { weight: 2 })];
      const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
      for (let i = 0; i < 20_000; i++) {
        const id = affinity(`prompt ${i}`, load(), weighted);
        counts[id] = (counts[id] ?? 0) + 1;
      }
      expect((counts.a ?? 0) / 20_000).toBeCloseTo(0.25, 1);
      expect((counts.b ?? 0) / 20_000).toBeCloseTo(0.25, 1);
      expect((counts.c ?? 0) / 20_000).toBeCloseTo(0.5, 1);
    });

    it('moves a key only off the removed node when a node goes away', () => {
      let moved = 0;
      for (let i = 0; i < 2000; i++) {
        const before = affinity(`p${i}`);
        const after = affinity(
          `p${i}`,
          load(),
          nodes.filter((n) => n.id !== 'a'),
        );
        if (before !== 'a' && before !== after) moved += 1;
      }
      expect(moved).toBe(0);
    });

    it('moves on in hash order while the owner carries more than maxLoad x its share', () => {
      const key = 'popular system prompt';
      const owner = affinity(key);
      // Up to its bounded share, the owner keeps the key...
      const even = load({ a: 1, b: 1, c: 1, d: 1 });
      expect(affinity(key, even)).toBe(owner);
      // ...past it, the next node in hash order takes it, and always the same one.
      const busy = load({ [owner]: 8 });
      const next = affinity(key, busy);
      expect(next).not.toBe(owner);
      expect(affinity(key, busy, [...nodes].reverse())).toBe(next);
      const without = affinity(
        key,
        load(),
        nodes.filter((n) => n.id !== owner),
      );
      expect(next).toBe(without);
    });
  });
});

describe('fullModelName', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest'],
    ['llama3.2:latest', 'llama3.2:latest'],
    ['qwen2.5:7b', 'qwen2.5:7b'],
    ['registry.local:5000/team/model', 'registry.local:5000/team/model:latest'],
    ['hf.co/user/repo:Q4_K_M', 'hf.co/user/repo:Q4_K_M'],
  ])('reads %s as %s', (name, full) => {
    expect(fullModelName(name)).toBe(full);
  });
});

describe('promptPrefix', () => {
  it('takes the system prompt and the messages, OpenAI content parts included', () => {
    const body = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'image_url', image_url: 'x' },
          ],
        },
      ],
    };
    expect(promptPrefix(body, 100)).toBe('Be brief.\nHello');
  });

  it('takes the system and the prompt of a generation, cut at the limit', () => {
    expect(promptPrefix({ system: 'abc', prompt: 'defghij' }, 6)).toBe('abc\nde');
    expect(promptPrefix({ input: ['one', 'two'] }, 100)).toBe('one\ntwo');
    expect(promptPrefix({ model: 'x' }, 100)).toBe('');
  });
});
