import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BoardMesh, basicAuth, startBoardMesh } from './support.js';

const PROTECTED = [
  ['GET', '/'],
  ['GET', '/board'],
  ['GET', '/board/api/queues'],
  ['GET', '/api/mesh'],
  ['GET', '/api/nodes/sim-1'],
  ['POST', '/api/nodes/sim-1/check'],
  ['GET', '/api/alerts'],
  ['GET', '/api/reports/latest'],
  ['GET', '/api/events'],
  ['GET', '/metrics'],
  ['GET', '/no/such/route'],
] as const;

describe('the server with a password set', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh();
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('answers /healthz and /readyz without credentials', async () => {
    const health = await fetch(`${mesh.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${mesh.url}/readyz`)).status).toBe(200);
  });

  it.each(PROTECTED)('refuses %s %s without credentials, asking for Basic auth', async (method, path) => {
    const response = await fetch(`${mesh.url}${path}`, { method });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="gpu-mesh"/);
    expect(await response.json()).toEqual({ error: 'authentication required' });
  });

  it.each(PROTECTED)('refuses %s %s with a wrong password', async (method, path) => {
    const response = await fetch(`${mesh.url}${path}`, {
      method,
      headers: { authorization: basicAuth('admin', 'wrong') },
    });
    expect(response.status).toBe(401);
  });

  it('refuses the right password for another user', async () => {
    const response = await fetch(`${mesh.url}/api/mesh`, {
      headers: { authorization: basicAuth('root', 'correct horse battery') },
    });
    expect(response.status).toBe(401);
  });

  it('lets the right credentials in', async () => {
    expect((await mesh.get('/api/mesh')).status).toBe(200);
    expect((await mesh.get('/')).status).toBe(200);
    expect((await mesh.get('/metrics')).status).toBe(200);
  });
});
