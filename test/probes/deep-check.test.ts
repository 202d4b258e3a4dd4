import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { unloadModels } from '../../src/probes/unload-models.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

const DEEP_TIMEOUT_MS = 300;

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

function deepProbe(model = '') {
  return probeNode(url(), { timeoutMs: 500, deep: { model, timeoutMs: DEEP_TIMEOUT_MS }, agents });
}

describe('probeNode with the deep part', () => {
  it('records the time to the first token of the loaded model', async () => {
    const result = await deepProbe();
    expect(result).toMatchObject({ ok: true, deep: { kind: 'ok', model: 'llama3.2:latest' } });
    const deep = result.deep?.kind === 'ok' ? result.deep : null;
    expect(deep?.ttftMs).toBeGreaterThan(0);
    expect(simulator.requests('sim-1')['/api/generate']).toBeGreaterThanOrEqual(1);
  });

  it('generates with the model it is told to use', async () => {
    const result = await deepProbe('qwen2.5:7b');
    expect(result).toMatchObject({ ok: true, deep: { kind: 'ok', model: 'qwen2.5:7b' } });
  });

  it('records a busy node as busy, not as a failure', async () => {
    await simulator.setMode('sim-1', 'busy');
    expect(await deepProbe()).toMatchObject({ ok: true, deep: { kind: 'busy', model: 'llama3.2:latest' } });
  });

  it('records a hung runner as a deep timeout and still passes the check', async () => {
    await simulator.setMode('sim-1', 'deep_hang');
    const started = performance.now();
    const result = await deepProbe();
    expect(result).toMatchObject({
      ok: true,
      deep: { kind: 'timeout', model: 'llama3.2:latest', afterMs: DEEP_TIMEOUT_MS },
    });
    expect(performance.now() - started).toBeLessThan(DEEP_TIMEOUT_MS + 200);
  });

  it('fails the check, as deep, when the model does not exist', async () => {
    expect(await deepProbe('nope:1b')).toMatchObject({
      ok: false,
      failure: 'deep',
      error: "deep check of nope:1b: HTTP 404: model 'nope:1b' not found",
    });
  });

  it('skips the deep part when no model is loaded', async () => {
    await unloadModels(url(), ['llama3.2:latest'], { timeoutMs: 500, agents });
    expect(await deepProbe()).toMatchObject({
      ok: true,
      deep: { kind: 'skipped', reason: 'no model loaded' },
    });
  });

  it('leaves the deep part out when not asked', async () => {
    const before = simulator.requests('sim-1')['/api/generate'] ?? 0;
    const result = await probeNode(url(), { timeoutMs: 500, deep: null, agents });
    expect(result).toMatchObject({ ok: true, deep: null });
    expect(simulator.requests('sim-1')['/api/generate'] ?? 0).toBe(before);
  });
});

describe('unloadModels', () => {
  it('empties /api/ps', async () => {
    const before = await probeNode(url(), { timeoutMs: 500, deep: null, agents });
    expect(before.ok && before.loadedModels.map((m) => m.name)).toEqual(['llama3.2:latest']);
    await unloadModels(url(), ['llama3.2:latest'], { timeoutMs: 500, agents });
    const after = await probeNode(url(), { timeoutMs: 500, deep: null, agents });
    expect(after.ok && after.loadedModels).toEqual([]);
  });

  it('names each model it could not unload, and why', async () => {
    await expect(
      unloadModels(url(), ['ghost:1b', 'llama3.2:latest'], { timeoutMs: 500, agents }),
    ).rejects.toThrow(`could not unload from ${url()}: ghost:1b (HTTP 404: model 'ghost:1b' not found)`);
    const after = await probeNode(url(), { timeoutMs: 500, deep: null, agents });
    expect(after.ok && after.loadedModels).toEqual([]);
  });
});
