import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import type { CheckRecordView } from '../../src/mesh/read.js';
import type { MeshView, NodeView } from '../../src/mesh/view.js';
import type { Report } from '../../src/metrics/report.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, startBoardMesh } from './support.js';

const NODE_KEYS = [
  'id',
  'name',
  'url',
  'status',
  'silenced',
  'tags',
  'consecutiveFailures',
  'lastCheckAt',
  'lastOkAt',
  'lastError',
  'latencyMs',
  'version',
  'models',
  'loadedModels',
  'checks',
  'successes',
  'successRate',
  'uptimeScore',
  'incidentId',
  'watch',
].sort();

const ALERT: Alert = {
  id: 'sim-1-degraded-1',
  at: new Date().toISOString(),
  severity: 'WARNING',
  kind: 'degraded',
  nodeId: 'sim-1',
  incidentId: 'sim-1:1',
  title: 'sim-1 degraded',
  message: 'connection refused',
};

describe('the REST API', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh();
    await waitFor(async () => {
      const view = await mesh.json<MeshView>('/api/mesh');
      return view.healthy === 2;
    }, 'both nodes healthy');
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('answers /api/mesh with the health and a Node of SPEC shape per node', async () => {
    const view = await mesh.json<MeshView>('/api/mesh');
    expect(Object.keys(view).sort()).toEqual(['healthPercent', 'healthy', 'nodes', 'total']);
    expect(view).toMatchObject({ healthPercent: 100, healthy: 2, total: 2 });
    for (const node of view.nodes) expect(Object.keys(node).sort()).toEqual(NODE_KEYS);
    expect(view.nodes[0]?.loadedModels[0]).toEqual({
      name: expect.any(String),
      sizeVram: expect.any(Number),
    });
  });

  it('answers /api/nodes/:id with the Node and its recent checks, newest first', async () => {
    const node = await mesh.json<NodeView & { history: CheckRecordView[] }>('/api/nodes/sim-1');
    expect(Object.keys(node).sort()).toEqual([...NODE_KEYS, 'history'].sort());
    expect(node.history.length).toBeGreaterThan(0);
    expect(node.history[0]).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ok: true,
      latencyMs: expect.any(Number),
      error: null,
    });
  });

  it('answers 404 JSON for an unknown node', async () => {
    const response = await mesh.get('/api/nodes/nobody');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'unknown node: nobody' });
  });

  it('answers 404 JSON for an unknown route', async () => {
    const response = await mesh.get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ error: 'not found: GET /api/nothing-here' });
  });

  it('lists the alerts of the last hour by default, newest first', async () => {
    const redis = connectTestRedis();
    const { AlertHistory } = await import('../../src/alerts/history.js');
    const history = new AlertHistory(redis, mesh.prefix);
    const older = { ...ALERT, id: 'old', at: new Date(Date.now() - 30 * 60_000).toISOString() };
    const ancient = { ...ALERT, id: 'ancient', at: new Date(Date.now() - 3 * 3600_000).toISOString() };
    await history.record(ancient);
    await history.record(older);
    await history.record(ALERT);
    redis.disconnect();

    const lastHour = await mesh.json<Alert[]>('/api/alerts');
    expect(lastHour.map((alert) => alert.id)).toEqual([ALERT.id, 'old']);
    expect(lastHour[0]).toEqual(ALERT);
    const lastFiveMinutes = await mesh.json<Alert[]>('/api/alerts?since=5m');
    expect(lastFiveMinutes.map((alert) => alert.id)).toEqual([ALERT.id]);
    const lastDay = await mesh.json<Alert[]>('/api/alerts?since=1d');
    expect(lastDay).toHaveLength(3);
  });

  it.each(['banana', '5 minutes', '-1h'])('answers 400 naming `since` for ?since=%s', async (since) => {
    const response = await mesh.get(`/api/alerts?since=${encodeURIComponent(since)}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^since: not a duration/);
  });

  it('answers 400 for a repeated since', async () => {
    expect((await mesh.get('/api/alerts?since=1h&since=2h')).status).toBe(400);
  });

  it('serves the latest stats report in SPEC shape once one is made', async () => {
    const report = await waitFor(async () => {
      const response = await mesh.get('/api/reports/latest');
      return response.status === 200 ? ((await response.json()) as Report) : null;
    }, 'a stats report');
    expect(Object.keys(report).sort()).toEqual([
      'at',
      'healthPercent',
      'healthy',
      'nodes',
      'total',
      'windowMs',
    ]);
    expect(report.windowMs).toBe(300);
    expect(report.nodes.map((node) => node.id)).toEqual(['sim-1', 'sim-2']);
    expect(Object.keys(report.nodes[0] ?? {}).sort()).toEqual(
      [
        'checks',
        'id',
        'latencyMs',
        'models',
        'name',
        'status',
        'successRate',
        'successes',
        'uptimeScore',
      ].sort(),
    );
    expect(Object.keys(report.nodes[0]?.latencyMs ?? {}).sort()).toEqual(['avg', 'max', 'p50', 'p95']);
  });

  it('sends security headers with every answer', async () => {
    for (const path of ['/', '/api/mesh', '/board/', '/healthz']) {
      const response = await mesh.get(path);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
    const page = await mesh.get('/');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
  });

  it('refuses a write sent by another site with our credentials', async () => {
    const response = await mesh.get('/api/nodes/sim-1/check', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'cross-site request refused' });
  });

  it('refuses a write from another origin sent by a browser without Sec-Fetch-Site', async () => {
    const response = await mesh.get('/api/nodes/sim-1/check', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
  });

  it('accepts a write from its own page', async () => {
    const response = await mesh.get('/api/nodes/sim-1/check', {
      method: 'POST',
      headers: { origin: mesh.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ nodeId: 'sim-1', ok: true });
  });

  it('exports Prometheus metrics with the names SPEC lists', async () => {
    const text = await (await mesh.get('/metrics')).text();
    for (const line of [
      'gpu_mesh_node_up{node="sim-1"} 1',
      'gpu_mesh_node_status{node="sim-1",status="healthy"} 1',
      'gpu_mesh_node_status{node="sim-1",status="unhealthy"} 0',
      '# TYPE gpu_mesh_check_duration_seconds histogram',
      'gpu_mesh_check_duration_seconds_bucket{node="sim-1",le="+Inf"}',
      'gpu_mesh_checks_total{node="sim-1",result="ok"}',
      '# TYPE gpu_mesh_alerts_total counter',
      '# TYPE gpu_mesh_notify_failures_total counter',
      'gpu_mesh_queue_jobs{queue="health-check",state="failed"}',
      'gpu_mesh_queue_jobs{queue="notify",state="waiting"}',
      '# TYPE gpu_mesh_schedule_lag_seconds histogram',
      'gpu_mesh_schedule_lag_seconds_count',
      'gpu_mesh_node_consecutive_failures{node="sim-1"} 0',
      'gpu_mesh_node_loaded_models{node="sim-1"}',
      'gpu_mesh_node_vram_bytes{node="sim-1"}',
    ]) {
      expect(text).toContain(line);
    }
  });
});

describe('a server with no scheduler nor worker yet', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({ roles: ['server'] });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('answers 404 JSON for the latest report before the first one', async () => {
    const response = await mesh.get('/api/reports/latest');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(/^no stats report yet/);
  });
});
