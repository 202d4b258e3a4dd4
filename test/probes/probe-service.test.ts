import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { createProbe } from '../../src/probes/probe-service.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({ count: 1 });
});

afterAll(async () => {
  await simulator.close();
});

function nodeConfig(url: string, timeout: number): NodeConfig {
  return {
    id: 'sim-1',
    name: 'Simulated',
    url,
    enabled: true,
    tags: [],
    checks: {
      interval: 30_000,
      timeout,
      retryInterval: 5000,
      degradedAfter: 1,
      unhealthyAfter: 3,
      healthyAfter: 1,
      deep: { every: 0, model: '', timeout: 60_000, failAfter: 2 },
    },
    recovery: { kind: 'none' },
    gateway: { weight: 1, maxInFlight: 0 },
  };
}

describe('createProbe', () => {
  it('checks a node within its own checks.timeout, deep part included when asked', async () => {
    const probe = createProbe();
    try {
      const node = nodeConfig(simulator.nodes[0]?.url ?? '', 300);
      expect(await probe.check(node, { model: '', timeoutMs: 300 })).toMatchObject({
        ok: true,
        deep: { kind: 'ok', model: 'llama3.2:latest' },
      });
      await simulator.setMode('sim-1', 'hang');
      expect(await probe.check(node, null)).toMatchObject({ ok: false, error: 'timeout after 300 ms' });
    } finally {
      await probe.close();
      await simulator.setMode('sim-1', 'healthy');
    }
  });

  it('unloads and warms models on a node, through the same connections', async () => {
    const probe = createProbe();
    try {
      const node = nodeConfig(simulator.nodes[0]?.url ?? '', 300);
      await probe.unloadModels(node, ['llama3.2:latest']);
      expect(await probe.check(node, null)).toMatchObject({ ok: true, loadedModels: [] });
      expect(await probe.warmModels(node, ['llama3.2'], 180_000)).toBe(1);
      expect(await probe.check(node, null)).toMatchObject({ loadedModels: [{ name: 'llama3.2:latest' }] });
    } finally {
      await probe.close();
    }
  });
});
