/**
 * The `stats` job: every `stats.interval`, one report of the last settled window (see
 * metrics/window.ts), stored in Redis for `stats.retain`, logged as one structured INFO line, served
 * at `/api/reports/latest` and by `gpu-mesh report`. One Job Scheduler on the `stats` queue, upserted
 * by every scheduler process under one id, makes it run once per mesh per interval.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { readContext, readMesh } from '../mesh/read.js';
import { statsWindowKey } from '../metrics/keys.js';
import { buildReport, describeReport, type Report } from '../metrics/report.js';
import type { ReportStore } from '../metrics/report-store.js';
import { parseWindowHash, settledWindow, statsGraceMs } from '../metrics/window.js';
import type { Logger } from '../runtime/logger.js';
import { dashboardLineJob } from './dashboard-line.js';
import { QUEUE_NAMES } from './queues.js';

export const statsJob = {
  queue: QUEUE_NAMES.stats,
  jobName: 'stats report',
  schedulerId: 'stats-report',
  options: {
    attempts: 2,
    backoff: { type: 'fixed', delay: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 200 },
    removeOnFail: { age: 7 * 24 * 3600, count: 200 },
  },
} as const;

export interface StatsDeps {
  config(): MeshConfig;
  redis: Redis;
  prefix: string;
  reports: ReportStore;
  logger: Logger;
  now(): number;
}

/** The report made, or null when its window had been reported already. */
export async function runStatsReport(deps: StatsDeps): Promise<Report | null> {
  const config = deps.config();
  const now = deps.now();
  const interval = config.stats.interval;
  const window = settledWindow(now, interval, statsGraceMs(config));
  const [mesh, hash] = await Promise.all([
    readContext(deps.redis, config, now).then(readMesh),
    deps.redis.hgetall(statsWindowKey(deps.prefix, interval, window.index)),
  ]);
  const report = buildReport(mesh, parseWindowHash(hash), window.end, interval);
  if (!(await deps.reports.save(report, config.stats.retain))) return null;
  deps.logger.info({ report }, describeReport(report));
  return report;
}

/**
 * The stats and dashboard-line schedules. The stats job fires `grace` after each window boundary
 * (modulo the interval), as soon as the window it reports on has settled.
 */
export async function upsertStatsSchedules(queue: Queue, config: MeshConfig): Promise<void> {
  const interval = config.stats.interval;
  await queue.upsertJobScheduler(
    statsJob.schedulerId,
    { every: interval, offset: statsGraceMs(config) % interval },
    { name: statsJob.jobName, data: {}, opts: statsJob.options },
  );
  await queue.upsertJobScheduler(
    dashboardLineJob.schedulerId,
    { every: config.dashboard.interval },
    { name: dashboardLineJob.jobName, data: {}, opts: dashboardLineJob.options },
  );
}
