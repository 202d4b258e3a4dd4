import { afterEach, describe, expect, it } from 'vitest';
import { silenceNode, unsilenceNode } from '../../src/mesh/silence.js';
import { waitFor } from '../helpers/wait.js';
import { allHealthy, type GatewayHarness, holdStream, nodeOf, startGatewayHarness } from './support.js';

let harness: GatewayHarness;

afterEach(async () => {
  await harness.stop();
});

const generate = (prompt = 'hi', model = 'llama3.2') =>
  harness.post('/api/generate', { model, prompt, stream: false });

async function nodesOf(count: number, send: (i: number) => Promise<Response>): Promise<string[]> {
  const nodes: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await send(i);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    nodes.push(nodeOf(response) ?? '');
  }
  return nodes;
}

describe('the gateway routes', () => {
  it('only to nodes that have the model installed', async () => {
    harness = await startGatewayHarness();
    harness.simulator.setModels('sim-1', { installed: ['llama3.2'], loaded: [] });
    harness.simulator.setModels('sim-2', { installed: ['llama3.2', 'mistral'], loaded: [] });
    harness.simulator.setModels('sim-3', { installed: ['llama3.2'], loaded: [] });
    await allHealthy(harness);
    expect(new Set(await nodesOf(4, () => generate('hi', 'mistral')))).toEqual(new Set(['sim-2']));
  });

  it('to a node with the model loaded before a cold one, however busy', async () => {
    harness = await startGatewayHarness({ gateway: 'route: round-robin' });
    for (const node of harness.simulator.nodes) harness.simulator.setModels(node.id, { loaded: [] });
    harness.simulator.setModels('sim-3', { loaded: ['qwen2.5:7b'] });
    await allHealthy(harness);
    expect(new Set(await nodesOf(3, () => generate('hi', 'qwen2.5:7b')))).toEqual(new Set(['sim-3']));
    // A model loaded nowhere rotates over every node.
    expect(new Set(await nodesOf(3, () => generate('hi', 'mistral')))).toEqual(
      new Set(['sim-1', 'sim-2', 'sim-3']),
    );
  });

  it('least-busy: to the node with the fewest requests in flight', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    harness.simulator.setStream('sim-1', { tokens: 1000, chunkDelayMs: 20 });
    harness.simulator.setStream('sim-2', { tokens: 1000, chunkDelayMs: 20 });
    await allHealthy(harness);
    const first = await holdStream(harness, 'one');
    const second = await holdStream(harness, 'two');
    expect(new Set([first.node, second.node])).toEqual(new Set(['sim-1', 'sim-2']));
    first.release();
    // The freed node is the less busy one now (the other still streams).
    await waitFor(async () => nodeOf(await generate()) === first.node, 'a request on the freed node', 3000);
    second.release();
  });

  it('round-robin: in turn over the nodes', async () => {
    harness = await startGatewayHarness({ gateway: 'route: round-robin' });
    await allHealthy(harness);
    const nodes = await nodesOf(6, () => generate());
    expect(nodes.slice(0, 3).sort()).toEqual(['sim-1', 'sim-2', 'sim-3']);
    expect(nodes.slice(3)).toEqual(nodes.slice(0, 3));
  });

  it('affinity: one prompt prefix stays on one node, and different ones spread', async () => {
    harness = await startGatewayHarness({ gateway: 'route: affinity' });
    await allHealthy(harness);
    const chat = (system: string) =>
      harness.post('/v1/chat/completions', {
        model: 'llama3.2',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: 'hello' },
        ],
      });
    const same = await nodesOf(4, () => chat('You are a pirate.'));
    expect(new Set(same).size).toBe(1);
    const spread = await nodesOf(24, (i) => chat(`persona number ${i}`));
    expect(new Set(spread).size).toBe(3);
  });

  it('past a silenced node, and back to it once unsilenced', async () => {
    harness = await startGatewayHarness({ nodes: 2, gateway: 'route: round-robin' });
    await allHealthy(harness);
    await silenceNode(harness.redis, harness.prefix, 'sim-1', 60_000, 'maintenance', Date.now());
    await harness.waitForServing(1);
    expect(new Set(await nodesOf(4, () => generate()))).toEqual(new Set(['sim-2']));
    await unsilenceNode(harness.redis, harness.prefix, 'sim-1');
    await harness.waitForServing(2);
    expect(new Set(await nodesOf(4, () => generate()))).toEqual(new Set(['sim-1', 'sim-2']));
  });

  it('to a degraded node only when no healthy one has the model, and never to an unhealthy one', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    await allHealthy(harness);
    await harness.markFailing('sim-1', 1);
    await waitFor(async () => nodeOf(await generate()) === 'sim-2', 'requests to leave the degraded node');
    expect(new Set(await nodesOf(3, () => generate()))).toEqual(new Set(['sim-2']));
    await harness.markFailing('sim-2', 3);
    await waitFor(async () => nodeOf(await generate()) === 'sim-1', 'the degraded node as the last resort');
    await harness.markFailing('sim-1', 2);
    await waitFor(async () => (await generate()).status === 503, 'no node left');
    const refused = await generate();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ error: 'no node can take a request for "llama3.2:latest" now' });
  });

  it('past a node at its maxInFlight', async () => {
    harness = await startGatewayHarness({ nodes: 1, nodeFields: () => 'gateway: { maxInFlight: 1 }' });
    harness.simulator.setStream('sim-1', { tokens: 1000, chunkDelayMs: 20 });
    await allHealthy(harness);
    const held = await holdStream(harness, 'one');
    expect((await generate()).status).toBe(503);
    held.release();
    await waitFor(async () => (await generate()).status === 200, 'room on the node again', 3000);
  });
});
