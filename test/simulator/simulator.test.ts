import http from 'node:http';
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { httpRequest, nextEvent } from '../probes/support.js';

let simulator: Simulator;

beforeEach(async () => {
  simulator = await startSimulator({ count: 2 });
});

afterEach(async () => {
  await simulator.close();
});

function nodeUrl(index = 0): string {
  return simulator.nodes[index]?.url ?? '';
}

function generate(body: unknown) {
  return httpRequest(`${nodeUrl()}/api/generate`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('startSimulator', () => {
  it('names the nodes sim-1.. and gives each its own URL', () => {
    expect(simulator.nodes.map((node) => node.id)).toEqual(['sim-1', 'sim-2']);
    expect(new Set(simulator.nodes.map((node) => node.port)).size).toBe(2);
    expect(nodeUrl(1)).toBe(`http://127.0.0.1:${simulator.nodes[1]?.port}`);
    expect(simulator.controlUrl).toBeNull();
  });

  it('puts node i on port + i when given a first port', async () => {
    // Below Linux's ephemeral range, so parallel tests' own sockets cannot land in between; a
    // port some other program holds makes startSimulator refuse, and the test tries elsewhere.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = 20_000 + Math.floor(Math.random() * 10_000);
      const fixed = await startSimulator({ count: 3, port }).catch((error: Error) => {
        if (error.message.includes('EADDRINUSE')) return null;
        throw error;
      });
      if (fixed === null) continue;
      try {
        expect(fixed.nodes.map((node) => node.port)).toEqual([port, port + 1, port + 2]);
        expect(fixed.nodes[2]?.url).toBe(`http://127.0.0.1:${port + 2}`);
        return;
      } finally {
        await fixed.close();
      }
    }
    throw new Error('no free range of 3 ports found in 5 tries');
  });

  it('refuses a port that is taken, naming the node, and leaves nothing listening', async () => {
    const taken = simulator.nodes[0]?.port ?? 0;
    await expect(startSimulator({ count: 1, port: taken })).rejects.toThrow(
      `sim-1: cannot listen on 127.0.0.1:${taken}: EADDRINUSE`,
    );
  });
});

describe('a healthy simulated node', () => {
  it('says Ollama is running on GET and HEAD /', async () => {
    expect(await httpRequest(`${nodeUrl()}/`)).toMatchObject({ status: 200, body: 'Ollama is running' });
    expect(await httpRequest(`${nodeUrl()}/`, { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
  });

  it('answers /api/version', async () => {
    const response = await httpRequest(`${nodeUrl()}/api/version`);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({ version: '0.12.3' });
  });

  it('lists its models on /api/tags with the documented fields', async () => {
    const { models } = JSON.parse((await httpRequest(`${nodeUrl()}/api/tags`)).body);
    expect(models.length).toBeGreaterThanOrEqual(3);
    expect(models[0]).toEqual({
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      modified_at: expect.any(String),
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: expect.any(String),
        quantization_level: expect.any(String),
      },
    });
  });

  it('shows one model loaded on /api/ps, all in VRAM, expiring in 5 minutes', async () => {
    const { models } = JSON.parse((await httpRequest(`${nodeUrl()}/api/ps`)).body);
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'llama3.2:latest', model: 'llama3.2:latest' });
    expect(models[0].size_vram).toBe(models[0].size);
    const expiresIn = Date.parse(models[0].expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(4 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);
  });

  it('streams a generation as NDJSON, ending with the documented statistics', async () => {
    const response = await generate({ model: 'llama3.2', prompt: 'hello' });
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(response.body);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatchObject({ model: 'llama3.2', response: expect.any(String), done: false });
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: 'stop',
      response: '',
      total_duration: expect.any(Number),
      load_duration: expect.any(Number),
      prompt_eval_count: expect.any(Number),
      prompt_eval_duration: expect.any(Number),
      eval_count: lines.length - 1,
      eval_duration: expect.any(Number),
    });
  });

  it('stops after num_predict tokens', async () => {
    const lines = ndjson(
      (await generate({ model: 'llama3.2', prompt: 'hi', options: { num_predict: 1 } })).body,
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ done: true, done_reason: 'length', eval_count: 1 });
  });

  it('answers in one object when stream is false', async () => {
    const response = await generate({ model: 'llama3.2', prompt: 'hi', stream: false });
    expect(JSON.parse(response.body)).toMatchObject({ done: true, response: 'Pong!' });
  });

  it('unloads a model on keep_alive 0 with no prompt, and loads it on an empty prompt', async () => {
    const unload = await generate({ model: 'llama3.2:latest', keep_alive: 0 });
    expect(JSON.parse(unload.body)).toMatchObject({ done: true, done_reason: 'unload' });
    expect(JSON.parse((await httpRequest(`${nodeUrl()}/api/ps`)).body)).toEqual({ models: [] });
    const load = await generate({ model: 'llama3.2:latest' });
    expect(JSON.parse(load.body)).toMatchObject({ done: true, done_reason: 'load' });
    expect(JSON.parse((await httpRequest(`${nodeUrl()}/api/ps`)).body).models).toHaveLength(1);
  });

  it("answers Ollama's errors for an unknown model and a missing body", async () => {
    expect(await generate({ model: 'nope', prompt: 'hi' })).toMatchObject({
      status: 404,
      body: `{"error":"model 'nope' not found"}`,
    });
    const empty = await httpRequest(`${nodeUrl()}/api/generate`, { method: 'POST' });
    expect(empty).toMatchObject({ status: 400, body: '{"error":"missing request body"}' });
  });

  it('answers 404 page not found for a route it does not have', async () => {
    expect(await httpRequest(`${nodeUrl()}/api/nothing`)).toMatchObject({
      status: 404,
      body: '404 page not found',
    });
  });

  it('counts requests by path, per node', async () => {
    await httpRequest(`${nodeUrl()}/api/tags?x=1`);
    await httpRequest(`${nodeUrl()}/api/tags`);
    expect(simulator.requests('sim-1')).toEqual({ '/api/tags': 2 });
    expect(simulator.requests('sim-2')).toEqual({});
  });
});

describe('simulated failures', () => {
  it('refuses connections once dead', async () => {
    await simulator.setMode('sim-1', 'dead');
    await expect(httpRequest(`${nodeUrl()}/api/version`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await httpRequest(`${nodeUrl(1)}/api/version`)).status).toBe(200);
  });

  it('resets a keep-alive connection that was already open when it dies', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const socketReady = new Promise<net.Socket>((resolve, reject) => {
        http
          .get(`${nodeUrl()}/api/version`, { agent }, (res) => {
            const socket = res.socket;
            res.resume();
            res.on('end', () => resolve(socket));
          })
          .on('error', reject);
      });
      const socket = await socketReady;
      const closed = nextEvent(socket, 'close');
      await simulator.setMode('sim-1', 'dead');
      await closed;
      expect(socket.destroyed).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('listens on the same port again when switched from dead to healthy', async () => {
    const port = simulator.nodes[0]?.port;
    await simulator.setMode('sim-1', 'dead');
    await simulator.setMode('sim-1', 'healthy');
    expect(simulator.nodes[0]?.port).toBe(port);
    expect(await httpRequest(`${nodeUrl()}/api/version`)).toMatchObject({ status: 200 });
  });

  it('accepts but never answers when hanging', async () => {
    await simulator.setMode('sim-1', 'hang');
    const req = http.get(`${nodeUrl()}/api/version`, { agent: false });
    // Destroying it below makes it emit 'socket hang up': expected.
    req.on('error', () => {});
    const connected = nextEvent(req, 'socket');
    const [socket] = (await connected) as [net.Socket];
    await nextEvent(socket, 'connect');
    const answered = nextEvent(req, 'response', 300).then(
      () => 'answered',
      () => 'silent',
    );
    expect(await answered).toBe('silent');
    req.destroy();
  });

  it('answers a slow request only after its delay', async () => {
    await simulator.setMode('sim-1', 'slow', { delayMs: 150 });
    const started = performance.now();
    expect((await httpRequest(`${nodeUrl()}/api/version`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('serves HTML, broken JSON, a 500 and an empty 403 in the matching modes', async () => {
    await simulator.setMode('sim-1', 'html');
    const html = await httpRequest(`${nodeUrl()}/api/tags`);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toMatch(/^<!DOCTYPE html>/);
    await simulator.setMode('sim-1', 'garbage');
    const garbage = await httpRequest(`${nodeUrl()}/api/tags`);
    expect(garbage.status).toBe(200);
    expect(() => JSON.parse(garbage.body)).toThrow();
    await simulator.setMode('sim-1', 'error');
    expect(await httpRequest(`${nodeUrl()}/api/ps`)).toMatchObject({
      status: 500,
      body: '{"error":"CUDA error: out of memory"}',
    });
    await simulator.setMode('sim-1', 'forbidden');
    expect(await httpRequest(`${nodeUrl()}/api/version`)).toMatchObject({ status: 403, body: '' });
  });

  it('streams an endless body as fast as it is read, without buffering it', async () => {
    await simulator.setMode('sim-1', 'huge');
    const heapBefore = process.memoryUsage().heapUsed;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${nodeUrl()}/api/ps`, { agent: false }, (res) => {
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 64 * 1024 * 1024) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (error) => (received > 64 * 1024 * 1024 ? resolve() : reject(error)));
    });
    expect(received).toBeGreaterThan(64 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });

  it('answers generate with 503 server busy when busy, and the rest of the API as usual', async () => {
    await simulator.setMode('sim-1', 'busy');
    expect((await httpRequest(`${nodeUrl()}/api/version`)).status).toBe(200);
    expect(await generate({ model: 'llama3.2', prompt: 'hi' })).toMatchObject({
      status: 503,
      body: '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
    });
  });

  it('refuses an unknown node or mode', async () => {
    await expect(simulator.setMode('sim-9', 'dead')).rejects.toThrow('unknown node sim-9');
    await expect(simulator.setMode('sim-1', 'melted' as 'dead')).rejects.toThrow('unknown mode melted');
  });
});
