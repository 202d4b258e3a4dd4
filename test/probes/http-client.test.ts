import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/probes/endpoint.js';
import { RequestError, request, requestUntilLine } from '../../src/probes/http-client.js';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { nextEvent } from './support.js';

const agents = createProbeAgents();
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(server: net.Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function get(url: string, path: string, extra: { maxBytes?: number; signal?: AbortSignal } = {}) {
  return request(parseEndpoint(url), path, {
    method: 'GET',
    agent: agents.http,
    signal: extra.signal ?? new AbortController().signal,
    maxBytes: extra.maxBytes,
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('parseEndpoint', () => {
  it('reads the parts of a node URL once', () => {
    expect(parseEndpoint('https://ops:s%40cret@gpu-1.lan/ollama/')).toEqual({
      secure: true,
      hostname: 'gpu-1.lan',
      port: 443,
      basePath: '/ollama',
      auth: 'ops:s@cret',
    });
    expect(parseEndpoint('http://[::1]:11434')).toMatchObject({ hostname: '::1', port: 11434, basePath: '' });
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => parseEndpoint('ftp://gpu-1')).toThrow('not an http(s) URL: ftp://gpu-1');
  });
});

describe('request', () => {
  it('reuses one keep-alive connection for requests in turn', async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => res.end('{}'));
    server.on('connection', () => connections++);
    const url = await serve(server);
    for (let i = 0; i < 3; i++)
      expect(await get(url, '/api/version')).toMatchObject({ status: 200, body: '{}' });
    expect(connections).toBe(1);
  });

  it('retries once on a fresh connection when a pooled one turns out closed', async () => {
    // The server drops each connection on its second request, as a node that closed an idle
    // keep-alive connection the client had not noticed yet.
    const seen = new WeakMap<net.Socket, number>();
    const server = http.createServer((req, res) => {
      const count = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, count);
      if (count === 2) req.socket.destroy();
      else res.end('ok');
    });
    const url = await serve(server);
    expect((await get(url, '/')).body).toBe('ok');
    expect((await get(url, '/')).body).toBe('ok');
  });

  it('fails a body past the cap while reading it', async () => {
    const url = await serve(http.createServer((_req, res) => res.end('x'.repeat(2000))));
    const error = await rejectionOf(get(url, '/', { maxBytes: 1000 }));
    expect(error.reason).toBe('too_large');
  });

  it('fails a declared Content-Length past the cap before reading', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': 5 * 1024 * 1024 });
      res.write('{');
    });
    const url = await serve(server);
    expect((await rejectionOf(get(url, '/'))).reason).toBe('too_large');
  });

  it('stops on abort while the body is still arriving', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('{"models":[');
    });
    const url = await serve(server);
    const controller = new AbortController();
    const pending = get(url, '/', { signal: controller.signal });
    await nextEvent(server, 'request');
    controller.abort();
    expect((await rejectionOf(pending)).reason).toBe('aborted');
  });

  it('fails at once when the signal is already aborted', async () => {
    const url = await serve(http.createServer((_req, res) => res.end('{}')));
    expect((await rejectionOf(get(url, '/', { signal: AbortSignal.abort() }))).reason).toBe('aborted');
  });
});

describe('requestUntilLine', () => {
  it('joins a line split across chunks and stops at the wanted one without waiting for the end', async () => {
    let streamClosed: Promise<unknown[]> = Promise.resolve([]);
    const server = http.createServer((_req, res) => {
      streamClosed = nextEvent(res, 'close');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"status":"loading"}\n{"respo');
      setImmediate(() => res.write('nse":"Hi","done":false}\n'));
      // ...and never ends.
    });
    const url = await serve(server);
    const response = await requestUntilLine(
      parseEndpoint(url),
      '/api/generate',
      { method: 'POST', body: '{}', agent: agents.http, signal: new AbortController().signal },
      (line) => line.includes('"response"'),
    );
    expect(response).toMatchObject({ status: 200, line: '{"response":"Hi","done":false}' });
    await streamClosed;
  });

  it('reads a non-2xx answer whole', async () => {
    const url = await serve(
      http.createServer((_req, res) => res.writeHead(404).end('{"error":"no"}\n{"x":1}\n')),
    );
    const response = await requestUntilLine(
      parseEndpoint(url),
      '/api/generate',
      { method: 'POST', body: '{}', agent: agents.http, signal: new AbortController().signal },
      () => true,
    );
    expect(response).toMatchObject({ status: 404, body: '{"error":"no"}\n{"x":1}\n', line: null });
  });
});

describe('probeNode against servers that are not Ollama', () => {
  it('calls a connection dropped mid-answer a reset', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"vers');
      setImmediate(() => res.socket?.destroy());
    });
    const url = await serve(server);
    expect(await probeNode(url, { timeoutMs: 500, deep: null, agents })).toMatchObject({
      ok: false,
      failure: 'connection',
      error: 'connection reset',
    });
  });

  it('calls an answer that is not HTTP an invalid HTTP response', async () => {
    const url = await serve(net.createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const result = await probeNode(url, { timeoutMs: 500, deep: null, agents });
    expect(result).toMatchObject({ ok: false, failure: 'invalid' });
    expect(result.ok ? '' : result.error).toMatch(/^invalid HTTP response from \/api\/version \(HPE_/);
  });

  it('reports the documented shape a proxy answer lacks', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/ps')
        res.end('{"models":[{"name":"a","size":1,"size_vram":"1","expires_at":"x"}]}');
      else res.end('{"version":"0.12.3","models":[]}');
    });
    const url = await serve(server);
    expect(await probeNode(url, { timeoutMs: 500, deep: null, agents })).toMatchObject({
      ok: false,
      failure: 'invalid',
      error: 'invalid response from /api/ps: models[0].size_vram is not a number',
    });
  });
});

process.on('exit', () => destroyProbeAgents(agents));
