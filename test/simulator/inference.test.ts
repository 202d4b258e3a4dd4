import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { httpRequest, waitFor } from '../probes/support.js';

let simulator: Simulator;

beforeEach(async () => {
  simulator = await startSimulator({ count: 1, controlPort: 0 });
});

afterEach(async () => {
  await simulator.close();
});

const url = (path: string) => `${simulator.nodes[0]?.url}${path}`;

function post(path: string, body: unknown) {
  return httpRequest(url(path), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const events = (text: string) =>
  text
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => event.replace(/^data: /, ''));

describe('a simulated node serving inference', () => {
  it('lists and serves only the models it has, and shows the ones it has loaded', async () => {
    simulator.setModels('sim-1', { installed: ['qwen2.5:7b', 'mistral'], loaded: ['mistral:latest'] });
    const tags = JSON.parse((await httpRequest(url('/api/tags'))).body);
    expect(tags.models.map((m: { name: string }) => m.name)).toEqual(['qwen2.5:7b', 'mistral:latest']);
    const ps = JSON.parse((await httpRequest(url('/api/ps'))).body);
    expect(ps.models.map((m: { name: string }) => m.name)).toEqual(['mistral:latest']);
    const models = JSON.parse((await httpRequest(url('/v1/models'))).body);
    expect(models).toMatchObject({
      object: 'list',
      data: [{ id: 'qwen2.5:7b', object: 'model' }, { id: 'mistral:latest' }],
    });
    expect(await post('/api/generate', { model: 'llama3.2', prompt: 'hi' })).toMatchObject({
      status: 404,
      body: `{"error":"model 'llama3.2' not found"}`,
    });
    await post('/api/generate', { model: 'qwen2.5:7b', prompt: 'hi' });
    expect(simulator.models('sim-1').loaded).toEqual(['qwen2.5:7b', 'mistral:latest']);
  });

  it('streams /api/chat as NDJSON messages', async () => {
    const response = await post('/api/chat', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    const chat = lines(response.body);
    expect(chat[0]).toMatchObject({ message: { role: 'assistant', content: 'Pong' }, done: false });
    expect(chat.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 2 });
  });

  it('streams /v1/chat/completions as server-sent events ending in [DONE]', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'llama3.2',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.headers['content-type']).toBe('text/event-stream');
    const data = events(response.body);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data[0] ?? '')).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ delta: { content: 'Pong' }, finish_reason: null }],
    });
    expect(JSON.parse(data.at(-2) ?? '')).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
  });

  it('answers the OpenAI routes whole unless asked to stream, and their errors in OpenAI form', async () => {
    const chat = await post('/v1/chat/completions', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(JSON.parse(chat.body)).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'Pong!' }, finish_reason: 'stop' }],
    });
    const completion = await post('/v1/completions', { model: 'llama3.2', prompt: 'hi', max_tokens: 1 });
    expect(JSON.parse(completion.body)).toMatchObject({
      choices: [{ text: 'Pong', finish_reason: 'length' }],
    });
    const missing = await post('/v1/completions', { model: 'nope', prompt: 'hi' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { type: 'not_found_error' } });
  });

  it('answers the embedding routes', async () => {
    const embed = JSON.parse(
      (await post('/api/embed', { model: 'nomic-embed-text', input: ['a', 'b'] })).body,
    );
    expect(embed.embeddings).toHaveLength(2);
    const legacy = JSON.parse(
      (await post('/api/embeddings', { model: 'nomic-embed-text', prompt: 'a' })).body,
    );
    expect(legacy.embedding.length).toBeGreaterThan(0);
    const openai = JSON.parse((await post('/v1/embeddings', { model: 'nomic-embed-text', input: 'a' })).body);
    expect(openai).toMatchObject({ object: 'list', data: [{ object: 'embedding', index: 0 }] });
  });

  it('streams slowly, and takes loadDelayMs to answer only for a model not loaded', async () => {
    simulator.setStream('sim-1', { tokens: 5, chunkDelayMs: 30, loadDelayMs: 1000 });
    let started = performance.now();
    const warm = await post('/api/generate', { model: 'llama3.2', prompt: 'hi' });
    expect(lines(warm.body)).toHaveLength(6);
    const warmMs = performance.now() - started;
    expect(warmMs).toBeGreaterThanOrEqual(4 * 30 - 5);
    expect(warmMs).toBeLessThan(800);
    started = performance.now();
    await post('/api/generate', { model: 'mistral', prompt: 'hi', stream: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(995);
  });

  it('dies after the first chunk when told to: the answer stops short of its last line', async () => {
    simulator.setStream('sim-1', { tokens: 5, dieAfterChunks: 1 });
    const received = await new Promise<{ body: string; error: string | null }>((resolve) => {
      const req = http.request(url('/api/generate'), { method: 'POST', agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ body, error: null }));
        res.on('error', (error) => resolve({ body, error: error.message }));
      });
      req.end(JSON.stringify({ model: 'llama3.2', prompt: 'hi' }));
    });
    expect(lines(received.body)).toEqual([expect.objectContaining({ response: 'Pong', done: false })]);
    expect(received.error).toBe('aborted');
    expect(simulator.aborted('sim-1')).toBe(0);
  });

  it('counts an answer whose client went away as aborted', async () => {
    simulator.setStream('sim-1', { tokens: 100, chunkDelayMs: 20 });
    const req = http.request(url('/api/generate'), { method: 'POST', agent: false }, (res) => {
      res.once('data', () => req.destroy());
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ model: 'llama3.2', prompt: 'hi' }));
    await waitFor(() => simulator.aborted('sim-1') === 1, 'the abort to be counted');
  });

  it('changes models and streams through its control endpoint', async () => {
    const control = (path: string, body: unknown) =>
      httpRequest(`${simulator.controlUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect(await control('/nodes/sim-1/models', { installed: ['mistral'], loaded: [] })).toMatchObject({
      status: 204,
    });
    expect(simulator.models('sim-1')).toEqual({ installed: ['mistral:latest'], loaded: [] });
    expect(await control('/nodes/sim-1/stream', { tokens: 3 })).toMatchObject({ status: 204 });
    expect(await control('/nodes/sim-1/models', { installed: ['gpt-9'] })).toMatchObject({
      status: 400,
      body: expect.stringContaining('not a simulated model: gpt-9'),
    });
    expect(await control('/nodes/sim-1/stream', { speed: 3 })).toMatchObject({
      status: 400,
      body: expect.stringContaining('unknown stream setting: speed'),
    });
  });
});
