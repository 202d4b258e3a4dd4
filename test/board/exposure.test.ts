/**
 * Who may reach the server (SPEC "HTTP", Guarantee 7): loopback judged by address; with no
 * password, only requests addressed to a loopback name; credentials fixed at start.
 */
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackHostHeader, openServerProblem } from '../../src/board/exposure.js';
import { OpenServerError, type RunningServer, startServer } from '../../src/board/server.js';
import { parseConfigText } from '../../src/config/load.js';
import type { MeshConfig } from '../../src/config/types.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { basicAuth } from './support.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::FFFF:7f00:1',
    'localhost',
    'LOCALHOST',
  ])('takes %s for loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '127.attacker.example',
    '127.0.0.1.nip.io',
    'localhost.attacker.example',
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'fe80::1%lo0',
    '',
  ])('does not take %s for loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isLoopbackHostHeader', () => {
  it.each(['127.0.0.1', '127.0.0.1:3000', '[::1]:3000', '[::1]', 'localhost', 'LocalHost:80'])(
    'accepts Host: %s',
    (header) => {
      expect(isLoopbackHostHeader(header)).toBe(true);
    },
  );

  it.each([
    'attacker.example:3000',
    '127.attacker.example:3000',
    'localhost.:3000',
    'localhost.attacker.example',
    '127.0.0.2:3000',
    '0.0.0.0:3000',
    '127.0.0.1:3000:1',
    'admin@127.0.0.1',
    '',
    undefined,
  ])('refuses Host: %s', (header) => {
    expect(isLoopbackHostHeader(header)).toBe(false);
  });
});

describe('openServerProblem', () => {
  it('refuses a host that is not loopback without a password, naming the key', () => {
    expect(openServerProblem({ host: '0.0.0.0', password: '' })).toMatch(
      /^server\.host: 0\.0\.0\.0 is not loopback/,
    );
    expect(openServerProblem({ host: '127.attacker.example', password: '' })).toMatch(/^server\.host: /);
  });

  it('allows loopback without a password, and anything with one', () => {
    expect(openServerProblem({ host: '127.0.0.1', password: '' })).toBeNull();
    expect(openServerProblem({ host: '::1', password: '' })).toBeNull();
    expect(openServerProblem({ host: '0.0.0.0', password: 's3cret' })).toBeNull();
  });
});

/** A GET with a `Host` header of our choosing (fetch does not let one set it). */
function getWithHost(
  url: string,
  path: string,
  host: string | null,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    if (host !== null) req.setHeader('Host', host);
    req.on('error', reject);
    req.end();
  });
}

describe('a server started on its own', () => {
  const prefix = uniquePrefix();
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const servers: RunningServer[] = [];
  let config: MeshConfig;

  function serve(server: string): Promise<RunningServer> {
    config = parseConfigText(
      `redis: { prefix: ${prefix} }\nserver: ${server}\nnodes: []`,
      {},
      'test.yaml',
    ).config;
    return startServer({
      config: () => config,
      redis,
      logger: pino({ level: 'silent' }),
      now: Date.now,
    }).then((running) => {
      servers.push(running);
      return running;
    });
  }

  afterAll(async () => {
    for (const server of servers) await server.close();
    redis.disconnect();
  });

  it('refuses to serve without a password on a host that is not loopback', async () => {
    const refusal = serve('{ host: 127.attacker.example, port: 0, password: "" }');
    await expect(refusal).rejects.toBeInstanceOf(OpenServerError);
    await expect(refusal).rejects.toThrow(/^config: server\.host: 127\.attacker\.example is not loopback/);
  });

  describe('without a password', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await serve('{ host: 127.0.0.1, port: 0, password: "" }');
    });

    it.each(['127.0.0.1', '[::1]', 'localhost'])('answers requests addressed to %s', async (name) => {
      const answer = await getWithHost(server.url, '/api/mesh', `${name}:${server.port}`);
      expect(answer.status).toBe(200);
    });

    it.each(['attacker.example', '127.attacker.example', 'localhost.attacker.example'])(
      'refuses requests addressed to %s (DNS rebinding), probes included',
      async (name) => {
        for (const path of ['/api/mesh', '/healthz', '/board/', '/']) {
          const answer = await getWithHost(server.url, path, `${name}:${server.port}`);
          expect(answer.status, path).toBe(403);
          expect(JSON.parse(answer.body), path).toEqual({
            error: expect.stringMatching(/^Host not allowed/),
          });
        }
      },
    );

    it('refuses a request without a Host header', async () => {
      // Node answers 400 to an HTTP/1.1 request without one before the app sees it.
      expect([400, 403]).toContain((await getWithHost(server.url, '/api/mesh', null)).status);
    });

    it('stays without auth when a later config sets a password (server.* is read at start)', async () => {
      config = { ...config, server: { ...config.server, password: 'later' } };
      expect((await fetch(`${server.url}/api/mesh`)).status).toBe(200);
    });
  });

  describe('with a password', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await serve(
        '{ host: 127.0.0.1, port: 0, username: admin, password: "correct horse battery" }',
      );
    });

    it('keeps the credentials it started with, both from one snapshot', async () => {
      config = { ...config, server: { ...config.server, username: 'root', password: 'other' } };
      const started = await fetch(`${server.url}/api/mesh`, { headers: { authorization: basicAuth() } });
      expect(started.status).toBe(200);
      for (const [username, password] of [
        ['root', 'other'],
        ['admin', 'other'],
        ['root', 'correct horse battery'],
      ] as const) {
        const response = await fetch(`${server.url}/api/mesh`, {
          headers: { authorization: basicAuth(username, password) },
        });
        expect(response.status, `${username}:${password}`).toBe(401);
      }
    });

    it('answers whatever Host a proxy in front of it sends', async () => {
      const answer = await getWithHost(server.url, '/healthz', 'gpu-mesh.example.org');
      expect(answer.status).toBe(200);
    });
  });
});
