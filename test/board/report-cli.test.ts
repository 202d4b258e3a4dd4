import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/metrics/report.js';
import { ReportStore } from '../../src/metrics/report-store.js';
import { runCli, writeTempConfig } from '../helpers/cli.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

const REPORT: Report = {
  at: '2026-01-01T12:05:00.000Z',
  windowMs: 300_000,
  healthPercent: 50,
  healthy: 1,
  total: 2,
  nodes: [
    {
      id: 'local',
      name: 'Local Ollama',
      status: 'healthy',
      checks: 10,
      successes: 10,
      successRate: 100,
      uptimeScore: 99.7,
      models: 8,
      latencyMs: { avg: 6.4, p50: 6.1, p95: 9.8, max: 12.3 },
    },
    {
      id: 'iceland',
      name: 'Iceland',
      status: 'unhealthy',
      checks: 10,
      successes: 0,
      successRate: 0,
      uptimeScore: 50,
      models: null,
      latencyMs: { avg: null, p50: null, p95: null, max: null },
    },
  ],
};

describe('gpu-mesh report', () => {
  const prefix = uniquePrefix();
  let configPath: string;

  beforeAll(() => {
    configPath = writeTempConfig(`redis: { url: "${testRedisUrl()}", prefix: ${prefix} }\n`);
  });
  afterAll(async () => {
    const redis = connectTestRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('exits 3 with one line on stderr before the first report', async () => {
    const result = await runCli(['report', '--config', configPath]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'gpu-mesh: report: no stats report yet (one is made every stats.interval)',
    ]);
  });

  it('prints the latest report as JSON with --json', async () => {
    const redis = connectTestRedis();
    const reports = new ReportStore(redis, prefix);
    await reports.save({ ...REPORT, at: '2026-01-01T12:00:00.000Z', healthPercent: 100 }, 3600_000);
    await reports.save(REPORT, 3600_000);
    redis.disconnect();

    const result = await runCli(['report', '--json', '--config', configPath]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(REPORT);
  });

  it('prints the latest report as a table', async () => {
    const result = await runCli(['report', '--config', configPath]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('stats for the 5 min up to 2026-01-01T12:05:00.000Z · mesh 50% (1/2 healthy)');
    expect(lines[1]).toMatch(
      /^NODE\s+STATUS\s+CHECKS\s+OK\s+SUCCESS\s+UPTIME\s+AVG\s+P50\s+P95\s+MAX\s+MODELS$/,
    );
    expect(lines[2]).toMatch(
      /^local\s+healthy\s+10\s+10\s+100%\s+99\.7%\s+6\.4 ms\s+6\.1 ms\s+9\.8 ms\s+12\.3 ms\s+8$/,
    );
    expect(lines[3]).toMatch(/^iceland\s+unhealthy\s+10\s+0\s+0%\s+50%\s+-\s+-\s+-\s+-\s+-$/);
  });
});

describe('ReportStore', () => {
  const prefix = uniquePrefix();
  const redis = connectTestRedis();

  afterAll(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps the first report of each window, and those of the last 7 d past a shorter retention', async () => {
    const store = new ReportStore(redis, prefix);
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
    expect(await store.save({ ...REPORT, at: at(0) }, 10 * 60_000)).toBe(true);
    expect(await store.save({ ...REPORT, at: at(5), healthy: 0 }, 10 * 60_000)).toBe(true);
    expect(await store.save({ ...REPORT, at: at(5), healthy: 2 }, 10 * 60_000)).toBe(false);
    expect((await store.since(0)).map((report) => [report.at, report.healthy])).toEqual([
      [at(5), 0],
      [at(0), 1],
    ]);
    await store.save({ ...REPORT, at: at(20) }, 10 * 60_000);
    expect((await store.since(0)).map((report) => report.at)).toEqual([at(20), at(5), at(0)]);
    expect((await store.latest())?.at).toBe(at(20));
  });
});
