import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { pingNode } from '../../src/probes/ping-node.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

let simulator: Simulator;
const agents = createProbeAgents();

beforeEach(async () => {
  simulator = await startSimulator({ count: 1 });
});

afterEach(async () => {
  await simulator.close();
});

afterAll(() => {
  destroyProbeAgents(agents);
});

describe('pingNode', () => {
  it('passes a running node with HEAD /', async () => {
    const url = simulator.nodes[0]?.url ?? '';
    expect(await pingNode(url, { timeoutMs: 300, agents })).toMatchObject({ ok: true });
    expect(simulator.requests('sim-1')['/']).toBe(1);
  });

  it('fails a node that refuses our Host as forbidden', async () => {
    await simulator.setMode('sim-1', 'forbidden');
    const result = await pingNode(simulator.nodes[0]?.url ?? '', { timeoutMs: 300, agents });
    expect(result).toMatchObject({ ok: false, failure: 'forbidden' });
    expect(result.ok ? '' : result.error).toMatch(/^HTTP 403 from \/: Ollama refused the request/);
  });

  it('fails a dead node with connection refused', async () => {
    await simulator.setMode('sim-1', 'dead');
    const result = await pingNode(simulator.nodes[0]?.url ?? '', { timeoutMs: 300, agents });
    expect(result).toMatchObject({ ok: false, failure: 'connection', error: 'connection refused' });
  });
});
