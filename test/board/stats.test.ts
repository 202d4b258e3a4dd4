import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRecordView } from '../../src/mesh/read.js';
import { latencyBin } from '../../src/metrics/latency.js';
import { percentile } from '../../src/metrics/percentile.js';
import type { Report } from '../../src/metrics/report.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, startBoardMesh } from './support.js';

const STATS_INTERVAL_MS = 300;

async function latestReport(mesh: BoardMesh): Promise<Report | null> {
  const response = await mesh.get('/api/reports/latest');
  return response.status === 200 ? ((await response.json()) as Report) : null;
}

async function history(mesh: BoardMesh, id: string): Promise<CheckRecordView[]> {
  return (await mesh.json<{ history: CheckRecordView[] }>(`/api/nodes/${id}`)).history;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

describe('stats reports (stats.interval 300 ms, a check every 100 ms, sim-2 dead from the start)', () => {
  let mesh: BoardMesh;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    mesh = await startBoardMesh({
      checks: '  interval: 100ms\n  retryInterval: 100ms\n  timeout: 1s',
      beforeStart: (simulator) => simulator.setMode('sim-2', 'dead'),
    });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('makes the first report within two intervals of the first check settling', async () => {
    // A window is reported once its checks are sure to be over: timeout + 1 s after it ends.
    const grace = 1000 + 1000;
    await waitFor(() => latestReport(mesh), 'a first report', 2 * STATS_INTERVAL_MS + grace + 2000);
    expect(Date.now() - startedAt).toBeLessThan(2 * STATS_INTERVAL_MS + grace + 3000);
  });

  it('counts exactly the checks of its window, and their latency, for passes and failures', async () => {
    const report = await waitFor(async () => {
      const latest = await latestReport(mesh);
      const settled = latest?.nodes[1]?.status === 'unhealthy';
      return settled && latest?.nodes.every((node) => node.checks >= 2) ? latest : null;
    }, 'a report with checks of both nodes, sim-2 unhealthy by then');
    const end = Date.parse(report.at);
    expect(end % STATS_INTERVAL_MS).toBe(0);
    expect(report.windowMs).toBe(STATS_INTERVAL_MS);

    for (const node of report.nodes) {
      const inWindow = (await history(mesh, node.id)).filter((record) => {
        const at = Date.parse(record.at);
        return at >= end - STATS_INTERVAL_MS && at < end;
      });
      const passed = inWindow.filter((record) => record.ok).map((record) => record.latencyMs);
      expect(node.checks, node.id).toBe(inWindow.length);
      expect(node.successes, node.id).toBe(passed.length);
      if (passed.length > 0) {
        expect(node.latencyMs.p50).toBe(latencyBin(percentile(passed, 50) ?? 0));
        expect(node.latencyMs.p95).toBe(latencyBin(percentile(passed, 95) ?? 0));
        expect(node.latencyMs.max).toBe(round1(Math.max(...passed)));
        expect(node.latencyMs.avg).toBeCloseTo(passed.reduce((a, b) => a + b, 0) / passed.length, 0);
      }
    }
    const [alive, dead] = report.nodes;
    expect(alive).toMatchObject({
      id: 'sim-1',
      status: 'healthy',
      successRate: 100,
      models: expect.any(Number),
    });
    expect(alive?.successes).toBe(alive?.checks);
    expect(dead).toMatchObject({
      id: 'sim-2',
      status: 'unhealthy',
      successes: 0,
      successRate: 0,
      latencyMs: { avg: null, p50: null, p95: null, max: null },
    });
    expect(report).toMatchObject({ healthPercent: 50, healthy: 1, total: 2 });
  });

  it('logs each report as one structured INFO line', async () => {
    const line = await waitFor(
      () => mesh.logs.find((entry) => entry.includes('"msg":"stats report: mesh')),
      'a stats report log line',
    );
    const entry = JSON.parse(line);
    expect(entry.level).toBe(30);
    expect(entry.report.nodes).toHaveLength(2);
    expect(entry.msg).toMatch(/^stats report: mesh \d+(\.\d)?% \(\d\/2 healthy\) · sim-1 \d+\/\d+ ok/);
  });

  it('writes the dashboard line every dashboard.interval', async () => {
    const line = await waitFor(
      () =>
        mesh.logs.find(
          (entry) => entry.includes('"msg":"mesh 50% (1/2 healthy)') && entry.includes('unhealthy"'),
        ),
      'a dashboard line',
    );
    const entry = JSON.parse(line);
    expect(entry.level).toBe(30);
    expect(entry.msg).toMatch(/^mesh 50% \(1\/2 healthy\) · sim-1 \d+ ms · sim-2 unhealthy$/);
  });
});
