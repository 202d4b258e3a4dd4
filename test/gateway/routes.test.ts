import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { allHealthy, type GatewayHarness, nodeOf, startGatewayHarness } from './support.js';

let harness: GatewayHarness;

afterEach(async () => {
  await harness.stop();
});

describe('the gateway answers from the mesh', () => {
  it('/api/tags and /v1/models: the models of the nodes it routes to, each once', async () => {
    harness = await startGatewayHarness();
    harness.simulator.setModels('sim-1', { installed: ['llama3.2', 'mistral'] });
    harness.simulator.setModels('sim-2', { installed: ['llama3.2', 'qwen2.5:7b'] });
    harness.simulator.setModels('sim-3', { installed: ['nomic-embed-text'] });
    await allHealthy(harness);
    await harness.markFailing('sim-3', 3);
    await harness.waitForServing(2);
    expect(await (await harness.fetch('/api/tags')).json()).toEqual({
      models: [
        { name: 'llama3.2:latest', model: 'llama3.2:latest' },
        { name: 'mistral:latest', model: 'mistral:latest' },
        { name: 'qwen2.5:7b', model: 'qwen2.5:7b' },
      ],
    });
    expect(await (await harness.fetch('/v1/models')).json()).toEqual({
      object: 'list',
      data: ['llama3.2:latest', 'mistral:latest', 'qwen2.5:7b'].map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'library',
      })),
    });
  });

  it('/api/ps: the loaded models, each with its node', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    harness.simulator.setModels('sim-2', { loaded: ['llama3.2', 'mistral'] });
    await allHealthy(harness);
    expect(await (await harness.fetch('/api/ps')).json()).toEqual({
      models: [
        { name: 'llama3.2:latest', model: 'llama3.2:latest', size_vram: 100, node: 'sim-1' },
        { name: 'llama3.2:latest', model: 'llama3.2:latest', size_vram: 100, node: 'sim-2' },
        { name: 'mistral:latest', model: 'mistral:latest', size_vram: 100, node: 'sim-2' },
      ],
    });
  });

  it('/api/version, /, /healthz, and /readyz (503 while no node is routable)', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    expect((await harness.fetch('/readyz')).status).toBe(503);
    await allHealthy(harness);
    expect(await (await harness.fetch('/readyz')).json()).toEqual({ status: 'ready', nodes: 1 });
    expect(await (await harness.fetch('/api/version')).json()).toEqual({ version: '0.12.3' });
    expect(await (await harness.fetch('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await harness.fetch('/')).text()).toBe('Ollama is running');
  });
});

describe('the gateway refuses', () => {
  it('model management with 501, saying where it goes', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    for (const path of [
      '/api/pull',
      '/api/delete',
      '/api/create',
      '/api/copy',
      '/api/push',
      '/api/blobs/sha256-1',
    ]) {
      const response = await harness.post(path, { model: 'llama3.2' });
      expect(response.status).toBe(501);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /model management .* goes to a node directly/,
      );
    }
  });

  it('an unknown model with 404, in the API the client speaks', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    await allHealthy(harness);
    const ollama = await harness.post('/api/chat', { model: 'gpt-9', messages: [] });
    expect(ollama.status).toBe(404);
    expect(await ollama.json()).toEqual({ error: 'model "gpt-9:latest" not found on any node' });
    const openai = await harness.post('/v1/chat/completions', { model: 'gpt-9', messages: [] });
    expect(openai.status).toBe(404);
    expect(await openai.json()).toEqual({
      error: {
        message: 'model "gpt-9:latest" not found on any node',
        type: 'not_found_error',
        param: null,
        code: null,
      },
    });
  });

  it('bad JSON, a body that is not an object and a missing model with 400', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    await allHealthy(harness);
    const send = (body: string) =>
      harness.fetch('/api/generate', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const broken = await send('{"model": "llama3.2",');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/^invalid JSON: /);
    expect(await (await send('[1,2]')).json()).toEqual({
      error: 'invalid request body: expected a JSON object',
    });
    const noModel = await send('{"prompt": "hi"}');
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toEqual({ error: 'model is required' });
  });

  it('a body over maxBody with 413', async () => {
    harness = await startGatewayHarness({ nodes: 1, gateway: 'maxBody: 1KiB' });
    await allHealthy(harness);
    const big = await harness.post('/api/generate', { model: 'llama3.2', prompt: 'x'.repeat(2000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'request body over gateway.maxBody (1024 bytes)' });
    expect(
      (await harness.post('/api/generate', { model: 'llama3.2', prompt: 'x', stream: false })).status,
    ).toBe(200);
  });

  it('a missing or wrong API key with 401, on every route but the health ones', async () => {
    harness = await startGatewayHarness({ nodes: 1, gateway: 'apiKeys: [k-1, k-2]' });
    await allHealthy(harness);
    const body = { model: 'llama3.2', prompt: 'hi', stream: false };
    const missing = await harness.post('/api/generate', body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await harness.post('/api/generate', body, { authorization: 'Bearer k-3' })).status).toBe(401);
    expect((await harness.fetch('/api/tags')).status).toBe(401);
    expect((await harness.fetch('/metrics')).status).toBe(401);
    const openai = await harness.post('/v1/completions', body);
    expect(await openai.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect((await harness.post('/api/generate', body, { authorization: 'Bearer k-2' })).status).toBe(200);
    expect((await harness.fetch('/api/tags', { headers: { authorization: 'bearer k-1' } })).status).toBe(200);
    expect((await harness.fetch('/healthz')).status).toBe(200);
    expect((await harness.fetch('/readyz')).status).toBe(200);
  });

  it('without API keys, a Host that is not loopback with 403 (DNS rebinding)', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          `${harness.gateway.url}/api/tags`,
          { headers: { host }, agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
      });
    expect(await status('evil.example:11480')).toBe(403);
    expect(await status('localhost:11480')).toBe(200);
    expect(await status('127.0.0.1')).toBe(200);
    expect(await status('[::1]:11480')).toBe(200);
  });

  it('a wrong method with 405', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    const response = await harness.fetch('/api/generate');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('every proxied route', () => {
  it.each([
    ['/api/generate', { prompt: 'hi', stream: false }],
    ['/api/chat', { messages: [{ role: 'user', content: 'hi' }], stream: false }],
    ['/api/embed', { input: ['a'] }],
    ['/api/embeddings', { prompt: 'a' }],
    ['/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }],
    ['/v1/completions', { prompt: 'hi' }],
    ['/v1/embeddings', { input: 'a' }],
  ])('%s goes to a node and says which, in how many attempts', async (path, body) => {
    harness = await startGatewayHarness({ nodes: 1 });
    await allHealthy(harness);
    const model = path.includes('embed') ? 'nomic-embed-text' : 'llama3.2';
    const response = await harness.post(path, { model, ...body });
    expect(response.status).toBe(200);
    expect(nodeOf(response)).toBe('sim-1');
    expect(response.headers.get('x-gpu-mesh-attempts')).toBe('1');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toBeTypeOf('object');
    expect(harness.simulator.requests('sim-1')[path]).toBe(1);
  });
});

describe('metrics', () => {
  it('count requests by node, model and outcome, in flight, and time to first byte', async () => {
    harness = await startGatewayHarness({ nodes: 1 });
    await allHealthy(harness);
    await (
      await harness.post('/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false })
    ).arrayBuffer();
    await (await harness.post('/api/generate', { model: 'nope', prompt: 'hi' })).arrayBuffer();
    const response = await harness.fetch('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain(
      'gpu_mesh_gateway_requests_total{node="sim-1",model="llama3.2:latest",outcome="ok"} 1',
    );
    expect(text).toContain(
      'gpu_mesh_gateway_requests_total{node="",model="unknown",outcome="client_error"} 1',
    );
    expect(text).toContain('gpu_mesh_gateway_first_byte_seconds_count{node="sim-1"} 1');
    expect(text).toContain('gpu_mesh_gateway_in_flight{node="sim-1"} 0');
    expect(text).toContain('# TYPE gpu_mesh_gateway_failovers_total counter');
  });
});
