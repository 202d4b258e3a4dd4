import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshView, NodeView } from '../../src/mesh/view.js';
import { startTestMesh, type TestMesh } from '../helpers/mesh.js';
import { waitFor } from '../helpers/wait.js';

async function mesh(t: TestMesh): Promise<MeshView> {
  const response = await fetch(`${t.service.server?.url}/api/mesh`);
  return (await response.json()) as MeshView;
}

async function node(t: TestMesh, id: string): Promise<NodeView & { history: unknown[] }> {
  const response = await fetch(`${t.service.server?.url}/api/nodes/${id}`);
  return (await response.json()) as NodeView & { history: unknown[] };
}

describe('a running mesh (interval 1 s, retryInterval 250 ms, timeout 500 ms)', () => {
  let t: TestMesh;

  beforeAll(async () => {
    t = await startTestMesh({ nodes: 8 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('checks every node and reports a fully healthy mesh', async () => {
    const view = await waitFor(async () => {
      const current = await mesh(t);
      return current.healthy === 8 ? current : null;
    }, 'all 8 nodes healthy');
    expect(view).toMatchObject({ healthPercent: 100, healthy: 8, total: 8 });
    const first = view.nodes[0];
    expect(first).toMatchObject({ id: 'sim-1', status: 'healthy', version: '0.12.3', silenced: false });
    expect(first?.loadedModels[0]?.sizeVram).toBeGreaterThan(0);
    expect(view.nodes.map((n) => n.id)).toEqual(t.simulator.nodes.map((n) => n.id));
  });

  it('detects a dead node within 4 s and sees it healthy again within 2 s of revival', async () => {
    await waitFor(async () => (await node(t, 'sim-1')).status === 'healthy', 'sim-1 healthy');
    const killedAt = Date.now();
    await t.simulator.setMode('sim-1', 'dead');
    const dead = await waitFor(async () => {
      const current = await node(t, 'sim-1');
      return current.status === 'unhealthy' ? current : null;
    }, 'sim-1 unhealthy');
    expect(Date.now() - killedAt).toBeLessThan(4000);
    expect(dead.lastError).toBe('connection refused');
    expect(dead.incidentId).toMatch(/^sim-1:\d+$/);
    expect(
      t.logs.some((line) => line.includes('"to":"degraded"') && line.includes('"severity":"WARNING"')),
    ).toBe(true);
    expect(
      t.logs.some((line) => line.includes('"to":"unhealthy"') && line.includes('"severity":"ERROR"')),
    ).toBe(true);

    const revivedAt = Date.now();
    await t.simulator.setMode('sim-1', 'healthy');
    const back = await waitFor(async () => {
      const current = await node(t, 'sim-1');
      return current.status === 'healthy' ? current : null;
    }, 'sim-1 healthy again');
    expect(Date.now() - revivedAt).toBeLessThan(2000);
    expect(back.lastError).toBeNull();
    expect(back.incidentId).toBeNull();
  });

  const malformed = [
    ['sim-2', 'html', /^invalid JSON from \/api\/version \(got HTML\)/],
    ['sim-3', 'garbage', /^invalid JSON from \/api\/version/],
    ['sim-4', 'error', /^HTTP 500: CUDA error: out of memory/],
    ['sim-5', 'huge', /body too large/],
    ['sim-6', 'hang', /^timeout after 500 ms$/],
    ['sim-7', 'forbidden', /^HTTP 403/],
  ] as const;

  it.each(malformed)('makes %s answering %s unhealthy with a precise lastError', async (id, mode, error) => {
    await t.simulator.setMode(id, mode);
    const sick = await waitFor(async () => {
      const current = await node(t, id);
      return current.status === 'unhealthy' ? current : null;
    }, `${id} unhealthy`);
    expect(sick.lastError).toMatch(error);
    expect(sick.history.length).toBeGreaterThan(0);
    await t.simulator.setMode(id, 'healthy');
  });

  it('keeps memory bounded while a node streams an endless body', async () => {
    await t.simulator.setMode('sim-8', 'huge');
    const before = process.memoryUsage().rss;
    await waitFor(async () => (await node(t, 'sim-8')).status === 'unhealthy', 'sim-8 unhealthy');
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    await t.simulator.setMode('sim-8', 'healthy');
  });

  it('answers 404 JSON for an unknown node', async () => {
    const response = await fetch(`${t.service.server?.url}/api/nodes/nobody`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'unknown node: nobody' });
  });

  it('runs a check asked for through the API and returns its result', async () => {
    const response = await fetch(`${t.service.server?.url}/api/nodes/sim-2/check`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ nodeId: 'sim-2', ok: true, version: '0.12.3' });
  });
});
