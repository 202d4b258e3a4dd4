import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { formatDashboardLine } from '../../src/jobs/dashboard-line.js';
import type { MeshView, NodeView } from '../../src/mesh/view.js';
import { buildReport, describeReport } from '../../src/metrics/report.js';
import { parseWindowHash, settledWindow, statsGraceMs, windowIndex } from '../../src/metrics/window.js';

function node(id: string, overrides: Partial<NodeView> = {}): NodeView {
  return {
    id,
    name: id.toUpperCase(),
    url: `http://${id}:11434`,
    status: 'healthy',
    silenced: false,
    tags: [],
    consecutiveFailures: 0,
    lastCheckAt: '2026-01-01T00:00:00.000Z',
    lastOkAt: '2026-01-01T00:00:00.000Z',
    lastError: null,
    latencyMs: 6.4,
    version: '0.12.3',
    models: 8,
    loadedModels: [],
    checks: 10,
    successes: 10,
    successRate: 100,
    uptimeScore: 100,
    incidentId: null,
    watch: 'off',
    ...overrides,
  };
}

function mesh(nodes: NodeView[], healthy: number): MeshView {
  return {
    healthPercent: Math.round((1000 * healthy) / nodes.length) / 10,
    healthy,
    total: nodes.length,
    nodes,
  };
}

describe('settledWindow', () => {
  const interval = 5 * 60_000;
  const grace = 6000;
  const noon = Date.parse('2026-01-01T12:00:00.000Z');

  it('reports on the window that ended at the last boundary once grace has passed', () => {
    expect(settledWindow(noon + grace, interval, grace)).toEqual({
      index: windowIndex(noon, interval) - 1,
      end: noon,
    });
  });

  it('still reports on the previous window while the last one is settling', () => {
    expect(settledWindow(noon + grace - 1, interval, grace).end).toBe(noon - interval);
  });

  it('covers each window once when run every interval', () => {
    const ends = [0, 1, 2, 3].map(
      (k) => settledWindow(noon + grace + k * interval + 15, interval, grace).end,
    );
    expect(ends).toEqual([noon, noon + interval, noon + 2 * interval, noon + 3 * interval]);
  });
});

describe('statsGraceMs', () => {
  it('waits for the longest check of any enabled node, deep part included', () => {
    const { config } = parseConfigText(
      [
        'checks: { timeout: 5s }',
        'nodes:',
        '  - { id: a, url: "http://a:11434" }',
        '  - { id: b, url: "http://b:11434", checks: { timeout: 8s, deep: { every: 5m, timeout: 30s } } }',
        '  - { id: c, url: "http://c:11434", enabled: false, checks: { timeout: 60s } }',
      ].join('\n'),
      {},
      'test.yaml',
    );
    expect(statsGraceMs(config)).toBe(8000 + 30_000 + 1000);
  });
});

describe('parseWindowHash', () => {
  it('reads counts, latency sum and max, and bins per node', () => {
    const windows = parseWindowHash({
      'a|n': '3',
      'a|ok': '2',
      'a|sum': '12.5',
      'a|max': '7.5',
      'a|b5': '1',
      'a|b7.5': '1',
      'b|n': '2',
    });
    expect(windows.get('a')).toEqual({
      checks: 3,
      successes: 2,
      latency: {
        count: 2,
        sumMs: 12.5,
        maxMs: 7.5,
        bins: [
          [5, 1],
          [7.5, 1],
        ],
      },
    });
    expect(windows.get('b')).toMatchObject({ checks: 2, successes: 0, latency: { count: 0 } });
  });
});

describe('buildReport', () => {
  const end = Date.parse('2026-01-01T12:05:00.000Z');
  const view = mesh(
    [node('local'), node('iceland', { status: 'unhealthy', models: null, uptimeScore: 50 })],
    1,
  );
  const windows = parseWindowHash({
    'local|n': '4',
    'local|ok': '3',
    'local|sum': '30',
    'local|max': '12',
    'local|b8': '1',
    'local|b10': '1',
    'local|b12': '1',
    'iceland|n': '2',
  });

  it('has SPEC exact shape, the window end as `at`, and the mesh health', () => {
    const report = buildReport(view, windows, end, 300_000);
    expect(Object.keys(report).sort()).toEqual([
      'at',
      'healthPercent',
      'healthy',
      'nodes',
      'total',
      'windowMs',
    ]);
    expect(report).toMatchObject({
      at: '2026-01-01T12:05:00.000Z',
      windowMs: 300_000,
      healthPercent: 50,
      healthy: 1,
      total: 2,
    });
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
  });

  it('counts the window checks of each node and summarizes the latency of the passing ones', () => {
    const [local, iceland] = buildReport(view, windows, end, 300_000).nodes;
    expect(local).toEqual({
      id: 'local',
      name: 'LOCAL',
      status: 'healthy',
      checks: 4,
      successes: 3,
      successRate: 75,
      uptimeScore: 100,
      models: 8,
      latencyMs: { avg: 10, p50: 10, p95: 12, max: 12 },
    });
    expect(iceland).toMatchObject({
      checks: 2,
      successes: 0,
      successRate: 0,
      status: 'unhealthy',
      latencyMs: { avg: null, p50: null, p95: null, max: null },
    });
  });

  it('gives a node that was not checked in the window zero checks and a null success rate', () => {
    const [local] = buildReport(view, new Map(), end, 300_000).nodes;
    expect(local).toMatchObject({ checks: 0, successes: 0, successRate: null });
  });

  it('describes itself in one line', () => {
    expect(describeReport(buildReport(view, windows, end, 300_000))).toBe(
      'stats report: mesh 50% (1/2 healthy) · local 3/4 ok p95 12 ms · iceland 0/2 ok',
    );
  });
});

describe('formatDashboardLine', () => {
  it('sums up the mesh and each enabled node in one line', () => {
    const view = mesh([node('local', { latencyMs: 6.4 }), node('iceland', { latencyMs: 57.2 })], 2);
    expect(formatDashboardLine(view, new Set(['local', 'iceland']))).toBe(
      'mesh 100% (2/2 healthy) · local 6 ms · iceland 57 ms',
    );
  });

  it('names the status of a node that is not healthy and leaves disabled nodes out', () => {
    const view: MeshView = {
      healthPercent: 50,
      healthy: 1,
      total: 2,
      nodes: [node('local'), node('iceland', { status: 'unhealthy' }), node('spare', { status: 'unknown' })],
    };
    expect(formatDashboardLine(view, new Set(['local', 'iceland']))).toBe(
      'mesh 50% (1/2 healthy) · local 6 ms · iceland unhealthy',
    );
  });
});
