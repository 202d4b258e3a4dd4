import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpAction } from '../../src/recovery/actions/http.js';
import { errorOf, nodeWith, recordingContext } from './support.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = (received: Received) => { status: number; body: string } | 'hang';

const TOKEN = 'Bearer tok-4f9a-very-secret';

describe('the http action', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let reply: Reply;

  beforeEach(async () => {
    received = [];
    reply = () => ({ status: 202, body: '{"status":"restarting"}' });
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const entry = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        };
        received.push(entry);
        const answer = reply(entry);
        if (answer === 'hang') return;
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const httpNode = (overrides: { url?: string; method?: string; body?: string; timeout?: number } = {}) =>
    nodeWith({
      kind: 'http',
      url: overrides.url ?? `${base}/v1/pods/pod-7/restart?api_key=query-secret-123`,
      method: overrides.method ?? 'POST',
      headers: { authorization: TOKEN, 'x-team': 'gpu-ops-team' },
      body: overrides.body ?? '{"force":true}',
      timeout: overrides.timeout ?? 5000,
    });

  it('sends the method, headers and body, and takes a 2xx as the restart issued', async () => {
    const context = recordingContext();
    const outcome = await createHttpAction({}).run(httpNode(), context);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/v1/pods/pod-7/restart?api_key=query-secret-123',
      body: '{"force":true}',
    });
    expect(received[0]?.headers).toMatchObject({
      authorization: TOKEN,
      'x-team': 'gpu-ops-team',
      'content-type': 'application/json',
    });
    expect(outcome.summary).toMatch(
      new RegExp(`^POST ${base}/\\*\\*\\* answered 202 in \\d+\\.\\d s: restart issued$`),
    );
    const written = [outcome.summary, ...context.lines].join('\n');
    expect(written).not.toContain('tok-4f9a');
    expect(written).not.toContain('query-secret-123');
    expect(written).not.toContain('pod-7');
    expect(context.lines.at(-1)).toContain('HTTP 202 Accepted');
  });

  it('turns credentials in the URL into a Basic authorization header and never shows them', async () => {
    const context = recordingContext();
    const url = `http://restart:p%40ss-w0rd-x@127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const action = createHttpAction({});
    const node = nodeWith({ kind: 'http', url, method: 'PUT', headers: {}, body: '', timeout: 5000 });
    const outcome = await action.run(node, context);
    expect(received[0]?.method).toBe('PUT');
    expect(received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('restart:p@ss-w0rd-x').toString('base64')}`,
    );
    expect([outcome.summary, ...context.lines].join('\n')).not.toMatch(/p%40ss|p@ss|restart:/);
  });

  it('fails on a 500 with the status, and without the header values even when the answer echoes them', async () => {
    reply = (request) => ({ status: 500, body: `upstream refused ${String(request.headers.authorization)}` });
    const context = recordingContext();
    const error = await errorOf(createHttpAction({}).run(httpNode(), context));
    expect(error.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/\*\*\* answered HTTP 500 Internal Server Error in \d+\.\d s: upstream refused \*\*\*$/,
    );
    expect([error.message, ...context.lines].join('\n')).not.toContain('tok-4f9a');
  });

  it('never shows the token in the URL path or query, even when the answer echoes the request', async () => {
    reply = (request) => ({ status: 404, body: `no route ${request.url} (pod tok-path-77a1f9)` });
    const context = recordingContext();
    const url = `${base}/hooks/tok-path-77a1f9/restart?sig=tok-query-3e8b0c`;
    const error = await errorOf(createHttpAction({}).run(httpNode({ url }), context));
    const written = [error.message, ...context.lines].join('\n');
    expect(written).toContain(`POST ${base}/*** answered HTTP 404`);
    expect(written).not.toMatch(/tok-path|tok-query|hooks/);
  });

  it('gives up when no answer comes within the timeout', async () => {
    reply = () => 'hang';
    const started = performance.now();
    const error = await errorOf(createHttpAction({}).run(httpNode({ timeout: 200 }), recordingContext()));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/\*\*\* got no answer within 0\.2 s$/);
  });

  it('stops waiting when the signal aborts', async () => {
    reply = () => 'hang';
    const context = recordingContext();
    const running = errorOf(createHttpAction({}).run(httpNode({ timeout: 10_000 }), context));
    await waitForRequest(() => received.length > 0);
    context.controller.abort();
    expect((await running).message).toMatch(/aborted after/);
  });

  it('reports a refused connection without quoting the URL secrets', async () => {
    const closed = `http://user:pw-secret-99@127.0.0.1:1/restart?key=query-secret-123`;
    const error = await errorOf(
      createHttpAction({}).run(
        nodeWith({ kind: 'http', url: closed, method: 'POST', headers: {}, body: '', timeout: 2000 }),
        recordingContext(),
      ),
    );
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:1\/\*\*\* failed: /);
    expect(error.message).not.toMatch(/pw-secret|query-secret/);
  });
});

async function waitForRequest(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the server got no request within 2 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
