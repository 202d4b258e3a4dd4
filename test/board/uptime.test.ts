/**
 * Mesh uptime per node over 24 h and 7 d (`GET /api/uptime`), the reports' 7-day retention it relies
 * on, and the `report` event the dashboard's statistics follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeReport, Report } from '../../src/metrics/report.js';
import { MAX_REPORTS, ReportStore, reportRetainMs } from '../../src/metrics/report-store.js';
import { meshUptime } from '../../src/metrics/uptime.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, openEvents, startBoardMesh } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 10, 12, 0);

function nodeReport(id: string, checks: number, successes: number): NodeReport {
  return {
    id,
    name: id.toUpperCase(),
    status: 'healthy',
    checks,
    successes,
    successRate: checks === 0 ? null : Math.round((10_000 * successes) / checks) / 100,
    uptimeScore: null,
    models: null,
    latencyMs: { avg: null, p50: null, p95: null, max: null },
  };
}

function report(at: number, nodes: NodeReport[]): Report {
  return {
    at: new Date(at).toISOString(),
    windowMs: 300_000,
    healthPercent: 100,
    healthy: nodes.length,
    total: nodes.length,
    nodes,
  };
}

describe('meshUptime', () => {
  const nodes = [
    { id: 'a', name: 'A' },
    { id: 'b', name: 'B' },
    { id: 'c', name: 'C' },
  ];

  it('sums checks and successes per node over the reports of each period', () => {
    const reports = [
      report(NOW, [nodeReport('a', 10, 10), nodeReport('b', 10, 5)]),
      report(NOW - 23 * HOUR, [nodeReport('a', 10, 9), nodeReport('b', 0, 0)]),
      report(NOW - 2 * DAY, [nodeReport('a', 20, 0), nodeReport('b', 10, 10)]),
      report(NOW - 6 * DAY, [nodeReport('a', 10, 10)]),
    ];
    expect(meshUptime(reports, nodes, NOW)).toEqual([
      { id: 'a', name: 'A', h24: 95, d7: 58 }, // 19/20; 29/50
      { id: 'b', name: 'B', h24: 50, d7: 75 }, // 5/10; 15/20
      { id: 'c', name: 'C', h24: null, d7: null },
    ]);
  });

  it('leaves out reports whose window ended at a period start or earlier, or after now', () => {
    const reports = [
      report(NOW - DAY, [nodeReport('a', 4, 0)]),
      report(NOW - 7 * DAY, [nodeReport('a', 4, 0)]),
      report(NOW - 7 * DAY + 1, [nodeReport('a', 3, 3)]),
      report(NOW + 1, [nodeReport('a', 4, 0)]),
    ];
    expect(meshUptime(reports, nodes.slice(0, 1), NOW)).toEqual([
      { id: 'a', name: 'A', h24: null, d7: 42.86 }, // 3/7
    ]);
  });

  it('keeps the order and names of the nodes given, ignoring nodes the mesh no longer has', () => {
    const reports = [report(NOW, [nodeReport('gone', 5, 5), nodeReport('c', 3, 2)])];
    expect(meshUptime(reports, [nodes[2], nodes[0]] as typeof nodes, NOW)).toEqual([
      { id: 'c', name: 'C', h24: 66.67, d7: 66.67 },
      { id: 'a', name: 'A', h24: null, d7: null },
    ]);
  });
});

describe('ReportStore retention', () => {
  const prefix = uniquePrefix();
  const redis = connectTestRedis();

  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps reports for stats.retain or 7 d, whichever is longer, at most MAX_REPORTS', () => {
    expect(reportRetainMs(DAY)).toBe(7 * DAY);
    expect(reportRetainMs(30 * DAY)).toBe(30 * DAY);
    // 7 d of reports at the default 5-minute interval fit under the count cap.
    expect(MAX_REPORTS).toBeGreaterThanOrEqual((7 * DAY) / 300_000);
  });

  it('keeps a report older than 24 h but younger than 7 d, and drops one older than 7 d', async () => {
    const store = new ReportStore(redis, prefix);
    const nodes = [nodeReport('a', 1, 1)];
    await store.save(report(NOW - 8 * DAY, nodes), DAY);
    await store.save(report(NOW - 3 * DAY, nodes), DAY);
    await store.save(report(NOW - 2 * HOUR, nodes), DAY);
    await store.save(report(NOW, nodes), DAY);
    expect((await store.since(0)).map((kept) => kept.at)).toEqual(
      [NOW, NOW - 2 * HOUR, NOW - 3 * DAY].map((at) => new Date(at).toISOString()),
    );
  });
});

describe('GET /api/uptime and the report event (server role only)', () => {
  let mesh: BoardMesh;
  const redis = connectTestRedis();

  beforeAll(async () => {
    mesh = await startBoardMesh({ roles: ['server'] });
  });
  afterAll(async () => {
    await mesh?.stop();
    redis.disconnect();
  });

  it('answers null uptimes for every node before any report', async () => {
    const response = await mesh.get('/api/uptime');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      nodes: [
        { id: 'sim-1', name: 'sim-1', h24: null, d7: null },
        { id: 'sim-2', name: 'sim-2', h24: null, d7: null },
      ],
    });
  });

  it('sums the stored reports of the last 24 h and 7 d per node', async () => {
    const store = new ReportStore(redis, mesh.prefix);
    const now = Date.now();
    await store.save(report(now - 3 * DAY, [nodeReport('sim-1', 10, 0), nodeReport('sim-2', 10, 10)]), HOUR);
    await store.save(report(now - 2 * HOUR, [nodeReport('sim-1', 10, 10), nodeReport('sim-2', 4, 1)]), HOUR);
    await store.save(report(now - 5 * 60_000, [nodeReport('sim-1', 10, 10)]), HOUR);
    // Older than 7 d: saved last so that no later save trims it, yet left out of both periods.
    await store.save(report(now - 8 * DAY, [nodeReport('sim-1', 100, 0)]), HOUR);
    const uptime = await mesh.json<{ nodes: unknown[] }>('/api/uptime');
    expect(uptime.nodes).toEqual([
      { id: 'sim-1', name: 'sim-1', h24: 100, d7: 66.67 },
      { id: 'sim-2', name: 'sim-2', h24: 25, d7: 78.57 },
    ]);
  });

  it('refuses any query field with a 400 naming it', async () => {
    for (const [query, field] of [
      ['?nodes=sim-1', 'nodes'],
      ['?window=7d', 'window'],
    ]) {
      const response = await mesh.get(`/api/uptime${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: `${field}: unknown field` });
    }
  });

  it('relays each stored report as a report event, and not a second report of the same window', async () => {
    const events = await openEvents(mesh);
    try {
      await events.next((event) => event.event === 'mesh');
      const channel = `${mesh.prefix}:events`;
      await waitFor(
        async () => ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1] > 0,
        'the server subscribed to the events channel',
      );
      const store = new ReportStore(redis, mesh.prefix);
      const made = report(Date.now(), [nodeReport('sim-1', 3, 2)]);
      expect(await store.save(made, HOUR)).toBe(true);
      const relayed = await events.next((event) => event.event === 'report');
      expect(relayed.data).toEqual(made);
      const after = events.mark();
      expect(await store.save({ ...made, healthy: 0 }, HOUR)).toBe(false);
      const next = report(Date.parse(made.at) + 1000, [nodeReport('sim-1', 1, 1)]);
      await store.save(next, HOUR);
      const second = await events.next((event) => event.event === 'report', { after });
      expect(second.data).toEqual(next);
    } finally {
      events.close();
    }
  });
});
