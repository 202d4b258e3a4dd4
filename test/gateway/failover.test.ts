import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import {
  allHealthy,
  type GatewayHarness,
  holdStream,
  ndjson,
  nodeOf,
  startGatewayHarness,
} from './support.js';

let harness: GatewayHarness;

afterEach(async () => {
  await harness.stop();
});

const generate = (body: Record<string, unknown> = {}) =>
  harness.post('/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false, ...body });

/** The checks the gateway asked for, by node. */
async function checksAskedFor(): Promise<string[]> {
  const jobs = await harness.checkQueue.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.filter((job) => job.data.reason === 'gateway').map((job) => job.data.nodeId as string);
}

async function metric(line: RegExp): Promise<number> {
  const text = await (await harness.fetch('/metrics')).text();
  const found = text.split('\n').find((candidate) => line.test(candidate));
  return found === undefined ? 0 : Number(found.split(' ').at(-1));
}

describe('before the first byte, the gateway fails over', () => {
  it.each([
    ['refuses connections', 'dead'],
    ['answers 503 server busy', 'busy'],
    ['answers 500', 'error'],
  ] as const)('when a node %s, and asks for a check of it', async (_what, mode) => {
    harness = await startGatewayHarness({ nodes: 2 });
    await allHealthy(harness);
    await harness.simulator.setMode('sim-1', mode);
    const response = await generate();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ response: 'Pong!' });
    expect(nodeOf(response)).toBe('sim-2');
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('2');
    await waitFor(async () => (await checksAskedFor()).includes('sim-1'), 'a check of sim-1');
    expect(await metric(/^gpu_mesh_gateway_failovers_total\{node="sim-1"\}/)).toBe(1);
    expect(
      await metric(
        /^gpu_mesh_gateway_requests_total\{node="sim-1",model="llama3.2:latest",outcome="failed_over"\}/,
      ),
    ).toBe(1);
  });

  it('asks for at most one check of a node per retryInterval', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    await allHealthy(harness);
    await harness.simulator.setMode('sim-1', 'dead');
    for (let i = 0; i < 5; i++) expect((await generate()).status).toBe(200);
    await waitFor(async () => (await checksAskedFor()).length === 1, 'the one check');
    expect(await metric(/^gpu_mesh_gateway_failovers_total\{node="sim-1"\}/)).toBe(5);
  });

  it('when a node with the model loaded sends no headers within headerTimeout.warm', async () => {
    harness = await startGatewayHarness({ nodes: 2, gateway: 'headerTimeout: { warm: 300ms, cold: 10s }' });
    await allHealthy(harness);
    await harness.simulator.setMode('sim-1', 'hang');
    const started = performance.now();
    const response = await generate();
    expect(nodeOf(response)).toBe('sim-2');
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('2');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('but waits headerTimeout.cold for a node that has to load the model first', async () => {
    harness = await startGatewayHarness({ nodes: 1, gateway: 'headerTimeout: { warm: 200ms, cold: 10s }' });
    harness.simulator.setModels('sim-1', { loaded: [] });
    harness.simulator.setStream('sim-1', { loadDelayMs: 700 });
    await allHealthy(harness);
    const started = performance.now();
    const response = await generate();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(690);
  });

  it('to at most `attempts` nodes, then answers 502 naming the last failure', async () => {
    harness = await startGatewayHarness({ nodes: 3, gateway: 'attempts: 2' });
    await allHealthy(harness);
    for (const node of harness.simulator.nodes) await harness.simulator.setMode(node.id, 'error');
    const response = await generate();
    // With no node left to try, the last node's own 5xx goes back as it is.
    expect(response.status).toBe(500);
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('2');
    const tried = harness.simulator.nodes.filter(
      (node) => harness.simulator.requests(node.id)['/api/generate'],
    );
    expect(tried).toHaveLength(2);

    for (const node of harness.simulator.nodes) await harness.simulator.setMode(node.id, 'dead');
    const refused = await generate();
    expect(refused.status).toBe(502);
    expect(refused.headers.get('x-gpu-mesh-attempts')).toBe('2');
    expect(await refused.json()).toEqual({
      error: expect.stringMatching(/^no node could answer \(2 tried; last: sim-\d: connection refused\)$/),
    });
  });

  it('never for a 4xx, which goes back to the client as it is', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    await allHealthy(harness);
    // The mesh still lists mistral on sim-1 (its last check), the node no longer has it.
    harness.simulator.setModels('sim-1', { installed: ['llama3.2'] });
    harness.simulator.setModels('sim-2', { installed: ['llama3.2'] });
    const response = await generate({ model: 'mistral' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('1');
    expect(await response.json()).toEqual({ error: "model 'mistral' not found" });
  });
});

describe('after the first byte, the gateway never retries', () => {
  it('a node dying mid-stream ends the NDJSON stream with an error line', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    harness.simulator.setStream('sim-1', { tokens: 5, dieAfterChunks: 1 });
    await allHealthy(harness);
    const response = await generate({ stream: true });
    expect(nodeOf(response)).toBe('sim-1');
    const lines = ndjson(await response.text());
    expect(lines).toEqual([
      expect.objectContaining({ response: 'Pong', done: false }),
      { error: 'node sim-1 failed mid-answer: connection reset' },
    ]);
    expect(harness.simulator.requests('sim-2')['/api/generate']).toBeUndefined();
    await waitFor(async () => (await checksAskedFor()).includes('sim-1'), 'a check of sim-1');
    expect(
      await metric(
        /^gpu_mesh_gateway_requests_total\{node="sim-1",model="llama3.2:latest",outcome="upstream_error"\}/,
      ),
    ).toBe(1);
  });

  it('a node dying mid-stream ends the OpenAI stream with an error event', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    harness.simulator.setStream('sim-1', { tokens: 5, dieAfterChunks: 2 });
    await allHealthy(harness);
    const response = await harness.post('/v1/chat/completions', {
      model: 'llama3.2',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2]?.replace(/^data: /, '') ?? '')).toEqual({
      error: {
        message: 'node sim-1 failed mid-answer: connection reset',
        type: 'api_error',
        param: null,
        code: null,
      },
    });
  });

  it('a node that goes quiet for idleTimeout ends the stream with an error', async () => {
    harness = await startGatewayHarness({ nodes: 1, gateway: 'idleTimeout: 300ms' });
    harness.simulator.setStream('sim-1', { tokens: 3, chunkDelayMs: 2000 });
    await allHealthy(harness);
    const lines = ndjson(await (await generate({ stream: true })).text());
    expect(lines.at(-1)).toEqual({
      error: 'node sim-1 failed mid-answer: sent nothing for 300 ms (gateway.idleTimeout)',
    });
  });
});

describe('a client that disconnects', () => {
  it("aborts the node's request", async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    harness.simulator.setStream('sim-1', { tokens: 1000, chunkDelayMs: 20 });
    await allHealthy(harness);
    const held = await holdStream(harness, 'a long answer');
    expect(harness.simulator.aborted('sim-1')).toBe(0);
    held.release();
    await waitFor(() => harness.simulator.aborted('sim-1') === 1, 'the node to see its client go');
    await waitFor(
      async () =>
        (await metric(
          /^gpu_mesh_gateway_requests_total\{node="sim-1",model="llama3.2:latest",outcome="aborted"\}/,
        )) === 1,
      'the aborted request counted',
    );
    expect(await metric(/^gpu_mesh_gateway_in_flight\{node="sim-1"\}/)).toBe(0);
  });

  it("before the node's first byte aborts it too, and fails nothing over", async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    for (const node of harness.simulator.nodes) {
      harness.simulator.setModels(node.id, { loaded: [] });
      harness.simulator.setStream(node.id, { loadDelayMs: 5000 });
    }
    await allHealthy(harness);
    const controller = new AbortController();
    const request = harness.fetch('/api/generate', {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', prompt: 'cold' }),
      signal: controller.signal,
    });
    await waitFor(
      () => harness.simulator.requests('sim-1')['/api/generate'] === 1,
      'the request at the node',
    );
    controller.abort();
    await expect(request).rejects.toThrow();
    await waitFor(() => harness.simulator.aborted('sim-1') === 1, 'the node to see its client go');
    await waitFor(
      async () => (await metric(/^gpu_mesh_gateway_requests_total\{.*outcome="aborted"\}/)) === 1,
      'the aborted request counted',
    );
    expect(await metric(/^gpu_mesh_gateway_failovers_total/)).toBe(0);
    expect(harness.simulator.requests('sim-2')['/api/generate']).toBeUndefined();
  });
});
