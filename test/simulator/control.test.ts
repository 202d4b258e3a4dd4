import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { httpRequest } from '../probes/support.js';

let simulator: Simulator;

beforeEach(async () => {
  simulator = await startSimulator({ count: 2, controlPort: 0 });
});

afterEach(async () => {
  await simulator.close();
});

function control(path: string, init: { method?: string; body?: string } = {}) {
  return httpRequest(`${simulator.controlUrl}${path}`, init);
}

describe('the simulator control endpoint', () => {
  it('lists the nodes with their mode', async () => {
    const response = await control('/nodes');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(
      simulator.nodes.map(({ id, url, port }) => ({ id, url, port, mode: 'healthy' })),
    );
  });

  it("changes a node's mode, and the probe sees it", async () => {
    const agents = createProbeAgents();
    try {
      const response = await control('/nodes/sim-2/mode', {
        method: 'POST',
        body: '{"mode":"error","delayMs":0}',
      });
      expect(response.status).toBe(204);
      const url = simulator.nodes[1]?.url ?? '';
      expect(await probeNode(url, { timeoutMs: 300, deep: null, agents })).toMatchObject({
        ok: false,
        error: 'HTTP 500: CUDA error: out of memory',
      });
      expect(JSON.parse((await control('/nodes')).body)[1]).toMatchObject({ id: 'sim-2', mode: 'error' });
    } finally {
      destroyProbeAgents(agents);
    }
  });

  it('kills a node and brings it back', async () => {
    await control('/nodes/sim-1/mode', { method: 'POST', body: '{"mode":"dead"}' });
    await expect(httpRequest(`${simulator.nodes[0]?.url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await control('/nodes/sim-1/mode', { method: 'POST', body: '{"mode":"healthy"}' });
    expect((await httpRequest(`${simulator.nodes[0]?.url}/`)).body).toBe('Ollama is running');
  });

  it('answers 404 with a one-line error for an unknown node', async () => {
    const response = await control('/nodes/sim-7/mode', { method: 'POST', body: '{"mode":"dead"}' });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'unknown node: sim-7' });
  });

  it('answers 400 naming the modes for an unknown mode', async () => {
    const response = await control('/nodes/sim-1/mode', { method: 'POST', body: '{"mode":"melted"}' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(
      /^unknown mode: melted \(one of healthy, dead, hang, .*deep_hang\)$/,
    );
  });

  it('answers 400 for a body that is not JSON or a bad delay', async () => {
    expect((await control('/nodes/sim-1/mode', { method: 'POST', body: 'dead' })).status).toBe(400);
    const badDelay = await control('/nodes/sim-1/mode', {
      method: 'POST',
      body: '{"mode":"slow","delayMs":-5}',
    });
    expect(badDelay.status).toBe(400);
    expect(JSON.parse(badDelay.body).error).toBe('delayMs must be a non-negative integer (milliseconds)');
  });

  it('answers 404 for a route it does not have', async () => {
    const response = await control('/reset', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'no route POST /reset' });
  });
});
