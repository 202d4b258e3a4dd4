/**
 * SPEC Guarantee 10 over HTTP: every input field of the API is checked, and a bad one is a 400
 * naming the field, never a 500 (a silence is 1 s to `alerts.maxSilence`, a reason at most 500
 * characters; `since` is a duration; node ids in paths match SPEC's pattern).
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/mesh/view.js';
import { connectTestRedis } from '../helpers/redis.js';
import { AGENT_NODE, type BoardMesh, startBoardMesh } from './support.js';

describe('input checks of the HTTP API', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({
      roles: ['server'],
      withAgentNode: true,
      extraYaml: 'alerts: { maxSilence: 1d }',
    });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  async function post(path: string, body: string): Promise<{ status: number; error: string }> {
    const response = await mesh.get(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    const answer = (await response.json()) as { error?: string };
    return { status: response.status, error: answer.error ?? '' };
  }

  it.each([
    ['{}', /^for: required/],
    ['{"for":"0"}', /^for: must be from 1s to 1d$/],
    ['{"for":0}', /^for: must be from 1s to 1d$/],
    ['{"for":"500ms"}', /^for: must be from 1s to 1d$/],
    ['{"for":"25h"}', /^for: must be from 1s to 1d$/],
    ['{"for":"100000000d"}', /^for: must be from 1s to 1d$/],
    ['{"for":"99999999999999999999d"}', /^for: not a duration/],
    ['{"for":"banana"}', /^for: not a duration/],
    ['{"for":-5}', /^for: not a duration/],
    ['{"for":true}', /^for: not a duration/],
    [`{"for":"2h","reason":"${'x'.repeat(501)}"}`, /^reason: at most 500 characters$/],
    ['{"for":"2h","reason":42}', /^reason: must be text$/],
    ['{"for":"2h","until":"tomorrow"}', /^until: unknown field$/],
    ['[]', /^body: must be a JSON object$/],
  ])('refuses a silence of %s with 400 naming the field', async (body, error) => {
    const answer = await post('/api/nodes/sim-1/silence', body);
    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(error);
    expect((await mesh.json<NodeView>('/api/nodes/sim-1')).silenced).toBe(false);
  });

  it('takes a silence from 1 s up to alerts.maxSilence (not 1 ms more), with a reason of 500 characters', async () => {
    const reason = 'r'.repeat(500);
    for (const length of ['1s', '1d', 86_400_000]) {
      const answer = await mesh.get('/api/nodes/sim-2/silence', {
        method: 'POST',
        body: JSON.stringify({ for: length, reason }),
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status, String(length)).toBe(200);
      expect(await answer.json()).toMatchObject({ nodeId: 'sim-2', silenced: true, reason });
    }
    expect((await mesh.get('/api/nodes/sim-2/silence', { method: 'DELETE' })).status).toBe(200);
    const longer = await post('/api/nodes/sim-2/silence', JSON.stringify({ for: 86_400_001 }));
    expect(longer).toEqual({ status: 400, error: 'for: must be from 1s to 1d' });
  });

  it.each([
    ['GET', '/api/nodes/SIM-1'],
    ['GET', `/api/nodes/${'a'.repeat(65)}`],
    ['GET', '/api/nodes/-sim'],
    ['GET', '/api/nodes/sim.1'],
    ['GET', '/api/nodes/a%2Fb'],
    ['POST', '/api/nodes/Sim-1/check'],
    ['POST', '/api/nodes/sim%201/recover'],
    ['POST', '/api/nodes/_x/silence'],
    ['DELETE', '/api/nodes/%C3%A9/silence'],
  ])('refuses %s %s with 400 naming the node id', async (method, path) => {
    const response = await mesh.get(path, {
      method,
      body: method === 'POST' ? '{"for":"1h"}' : undefined,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^id: not a node id \(/) });
  });

  it.each([
    ['0', /^since: must be from 1ms to 365d$/],
    ['366d', /^since: must be from 1ms to 365d$/],
    ['100000000d', /^since: must be from 1ms to 365d$/],
  ])('refuses /api/alerts?since=%s with 400 naming since', async (since, error) => {
    const response = await mesh.get(`/api/alerts?since=${since}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(error);
  });

  it('refuses ?wait= other than true or false on a recovery, before enqueueing anything', async () => {
    const response = await mesh.get(`/api/nodes/${AGENT_NODE}/recover?wait=maybe`, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'wait: must be true or false' });
    const redis = connectTestRedis();
    const recovery = new Queue('recovery', { connection: redis, prefix: mesh.prefix });
    expect(await recovery.count()).toBe(0);
    await recovery.close();
    redis.disconnect();
  });
});
