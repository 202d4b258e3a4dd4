/** Glue from the `stats` queue to its two jobs: the stats report and the dashboard line. */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import { dashboardLineJob } from '../jobs/dashboard-line.js';
import { statsJob } from '../jobs/stats.js';
import type { Logger } from '../runtime/logger.js';
import { jobFailedLine, logWorkerEvents } from '../runtime/worker-events.js';
import { IDLE_WAIT_S } from './idle-wait.js';

export interface StatsWorkerHandlers {
  /** The report made, or null when its window had been reported already. */
  report(): Promise<{ at: string; nodes: unknown[] } | null>;
  /** `plannedAt`: the schedule slot the line is for. */
  dashboardLine(plannedAt: number): Promise<string>;
}

export function startStatsWorker(
  settings: { connection: ConnectionOptions; prefix: string; logger: Logger },
  handlers: StatsWorkerHandlers,
): Worker {
  const { logger } = settings;
  const worker = new Worker(
    statsJob.queue,
    async (job) => {
      if (job.name === statsJob.jobName) {
        const report = await handlers.report();
        return report
          ? { at: report.at, nodes: report.nodes.length }
          : { skipped: 'window already reported' };
      }
      if (job.name === dashboardLineJob.jobName)
        return handlers.dashboardLine(job.timestamp + (job.delay ?? 0));
      throw new UnrecoverableError(`unknown job "${job.name}" on the ${statsJob.queue} queue`);
    },
    { connection: settings.connection, prefix: settings.prefix, concurrency: 1, drainDelay: IDLE_WAIT_S },
  );
  return logWorkerEvents(
    worker,
    logger,
    'stats',
    jobFailedLine(logger, (job) => job?.name ?? 'stats'),
  );
}
