/**
 * The public status page (`server.statusPage`): names, statuses and 24 h uptime without auth, SVG
 * badges per node, nothing that leaks internals, nothing else exempt from auth; all of it a 404
 * (after auth) when the key is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeReport } from '../../src/metrics/report.js';
import { ReportStore } from '../../src/metrics/report-store.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, startBoardMesh } from './support.js';

/** A node name a page must escape, not run. */
const HOSTILE_NAME = `<img src=x onerror="alert(1)"> & 'co'`;

function nodeReport(id: string, checks: number, successes: number): NodeReport {
  return {
    id,
    name: id,
    status: 'healthy',
    checks,
    successes,
    successRate: null,
    uptimeScore: null,
    models: null,
    latencyMs: { avg: null, p50: null, p95: null, max: null },
  };
}

describe('the status page, on', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({
      nodes: 3,
      statusPage: true,
      nodeYaml: { 'sim-3': `name: '${HOSTILE_NAME.replaceAll("'", "''")}'` },
      // Reports come from this test only: the 24 h uptime is known.
      extraYaml: 'stats: { interval: 1h, retain: 1h }',
    });
    const redis = connectTestRedis();
    try {
      await new ReportStore(redis, mesh.prefix).save(
        {
          at: new Date(Date.now() - 60_000).toISOString(),
          windowMs: 300_000,
          healthPercent: 100,
          healthy: 3,
          total: 3,
          nodes: [nodeReport('sim-1', 10_000, 9_990), nodeReport('sim-2', 10_000, 9_000)],
        },
        3_600_000,
      );
    } finally {
      redis.disconnect();
    }
    await mesh.simulator.setMode('sim-2', 'dead');
    // Every node checked (not `unknown`), sim-2 failing: a loaded machine may not have checked
    // sim-1 yet when sim-2 already fails.
    await waitFor(async () => {
      const { nodes } = await mesh.json<{ nodes: { id: string; status: string }[] }>('/api/mesh');
      const status = new Map(nodes.map((node) => [node.id, node.status]));
      return (
        status.get('sim-1') === 'healthy' &&
        status.get('sim-3') === 'healthy' &&
        ['degraded', 'unhealthy', 'recovering'].includes(status.get('sim-2') ?? '')
      );
    }, 'sim-1 and sim-3 healthy, sim-2 failing');
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('answers without auth: each node its name, status icon and word, and 24 h uptime', async () => {
    const response = await fetch(`${mesh.url}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-/,
    );
    const html = await response.text();
    expect(html).toMatch(
      /<li data-status="healthy"><span class="name">sim-1<\/span><span class="status"><span class="status-icon" aria-hidden="true">✓<\/span><span class="status-text">healthy<\/span><\/span><span class="uptime">\d+(\.\d+)?% over 24 h<\/span><\/li>/,
    );
    expect(html).toMatch(
      /<li data-status="(degraded|unhealthy|recovering)"><span class="name">sim-2<\/span>/,
    );
    expect(html).toMatch(/\d of 3 nodes healthy/);
  });

  it('shows no URL, port, error text or node id of the mesh', async () => {
    const html = await (await fetch(`${mesh.url}/status`)).text();
    const mine = await mesh.json<{ nodes: { url: string; lastError: string | null }[] }>('/api/mesh');
    for (const node of mine.nodes) {
      expect(html).not.toContain(node.url);
      expect(html).not.toContain(String(new URL(node.url).port));
      if (node.lastError) expect(html).not.toContain(node.lastError);
    }
    expect(html).not.toMatch(/https?:\/\/|127\.0\.0\.1|localhost|refused|data-node/);
  });

  it('escapes a node name in the page and in its badges', async () => {
    const html = await (await fetch(`${mesh.url}/status`)).text();
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;co&#39;');
    const svg = await (await fetch(`${mesh.url}/status/badge/sim-3/status.svg`)).text();
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;co&#39;');
  });

  it('draws a status badge any site may embed', async () => {
    const response = await fetch(`${mesh.url}/status/badge/sim-1/status.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const svg = await response.text();
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*role="img" aria-label="sim-1: healthy">/,
    );
    expect(svg).toContain('fill="#22c55e"');
    const dead = await (await fetch(`${mesh.url}/status/badge/sim-2/status.svg`)).text();
    expect(dead).toMatch(/aria-label="sim-2: (degraded|unhealthy|recovering)"/);
  });

  it('draws the 24 h uptime badge from the same computation as /api/uptime', async () => {
    const uptimeOf = async (id: string) =>
      (await mesh.json<{ nodes: { id: string; h24: number | null }[] }>('/api/uptime')).nodes.find(
        (node) => node.id === id,
      )?.h24;
    for (const [id, colour] of [
      ['sim-1', '#22c55e'], // 99.9 %
      ['sim-2', '#ef4444'], // 90 %
    ] as const) {
      const svg = await waitFor(async () => {
        const before = await uptimeOf(id);
        const text = await (await fetch(`${mesh.url}/status/badge/${id}/uptime.svg`)).text();
        return text.includes(`aria-label="${id} uptime 24 h: ${before}%"`) ? text : null;
      }, `the uptime badge of ${id} equal to /api/uptime`);
      expect(svg).toContain(`fill="${colour}"`);
    }
    const none = await (await fetch(`${mesh.url}/status/badge/sim-3/uptime.svg`)).text();
    expect(none).toContain(': no data"');
  });

  it('answers an unknown node as any unknown path, and a malformed id 400 naming it', async () => {
    const unknown = await fetch(`${mesh.url}/status/badge/nope/status.svg`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found: GET /status/badge/nope/status.svg' });
    const malformed = await fetch(`${mesh.url}/status/badge/Not%20An%20Id/uptime.svg`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^id: /);
  });

  it('exempts nothing else from auth', async () => {
    for (const path of [
      '/',
      '/api/mesh',
      '/api/uptime',
      '/status/other',
      '/status/badge/sim-1/other.svg',
      '/board/',
    ]) {
      expect((await fetch(`${mesh.url}${path}`)).status, path).toBe(401);
    }
    expect((await mesh.get('/api/mesh')).status).toBe(200);
  });
});

describe('the status page, off (the default)', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({ nodes: 1 });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('is not found, behind auth like any unknown path', async () => {
    for (const path of ['/status', '/status/badge/sim-1/status.svg', '/status/badge/sim-1/uptime.svg']) {
      expect((await fetch(`${mesh.url}${path}`)).status, path).toBe(401);
      expect((await mesh.get(path)).status, path).toBe(404);
    }
  });
});
