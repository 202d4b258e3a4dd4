import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { warmModels } from '../../src/probes/warm-models.js';
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

function url(): string {
  return simulator.nodes[0]?.url ?? '';
}

async function loadedNames(): Promise<string[]> {
  const result = await probeNode(url(), { timeoutMs: 500, deep: null, agents });
  return result.ok ? result.loadedModels.map((model) => model.name) : [];
}

describe('warmModels', () => {
  it('loads the models the node has and counts them', async () => {
    const warmed = await warmModels(url(), ['llama3.2', 'qwen2.5:7b'], {
      timeoutMs: 500,
      keepAliveMs: 180_000,
      agents,
    });
    expect(warmed).toBe(2);
    expect((await loadedNames()).sort()).toEqual(['llama3.2:latest', 'qwen2.5:7b']);
  });

  it('leaves alone the models the node does not have', async () => {
    expect(await warmModels(url(), ['phi4:14b'], { timeoutMs: 500, keepAliveMs: 180_000, agents })).toBe(0);
    expect(simulator.requests('sim-1')['/api/generate']).toBeUndefined();
  });

  it('resolves with what it managed when the node fails', async () => {
    await simulator.setMode('sim-1', 'busy');
    expect(await warmModels(url(), ['llama3.2'], { timeoutMs: 500, keepAliveMs: 180_000, agents })).toBe(0);
    await simulator.setMode('sim-1', 'dead');
    expect(await warmModels(url(), ['llama3.2'], { timeoutMs: 500, keepAliveMs: 180_000, agents })).toBe(0);
  });
});
