/**
 * The stats part of a process: the scheduler role keeps the stats and dashboard-line schedules in
 * place (idempotent upserts), the worker role runs their jobs. main.ts starts it in one call.
 */
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { runDashboardLine } from '../jobs/dashboard-line.js';
import { runStatsReport, statsJob, upsertStatsSchedules } from '../jobs/stats.js';
import { ReportStore } from '../metrics/report-store.js';
import { logErrors } from '../runtime/error-log.js';
import type { Logger } from '../runtime/logger.js';
import { startStatsWorker } from './stats.js';

export interface StatsRoleOptions {
  redis: Redis;
  prefix: string;
  config(): MeshConfig;
  logger: Logger;
  now(): number;
  scheduler: boolean;
  worker: boolean;
}

export interface StatsRole {
  /** After a config reload: the intervals may have changed. */
  reschedule(config: MeshConfig): Promise<void>;
  close(): Promise<void>;
}

export async function startStatsRole(options: StatsRoleOptions): Promise<StatsRole> {
  const { redis, prefix, logger } = options;
  const queue = options.scheduler ? new Queue(statsJob.queue, { connection: redis, prefix }) : null;
  if (queue) logErrors(queue, logger, 'stats queue');
  if (queue) await upsertStatsSchedules(queue, options.config());
  const worker = options.worker ? startWorker(options) : null;
  return {
    reschedule: async (config) => {
      if (queue) await upsertStatsSchedules(queue, config);
    },
    close: async () => {
      await worker?.close();
      await queue?.close();
    },
  };

  function startWorker({ config, now }: StatsRoleOptions): Worker {
    const reports = new ReportStore(redis, prefix);
    const started = startStatsWorker(
      { connection: redis, prefix },
      {
        report: () => runStatsReport({ config, redis, prefix, reports, logger, now }),
        dashboardLine: (plannedAt) => runDashboardLine({ config, redis, logger, now }, plannedAt),
      },
    );
    logErrors(started, logger, 'stats worker');
    started.on('failed', (job, error) =>
      logger.error(
        { job: job?.name, err: error.message },
        `${job?.name ?? 'stats'} job failed: ${error.message}`,
      ),
    );
    return started;
  }
}
