/** Glue from the `stats` queue to its two jobs: the stats report and the dashboard line. */
import { type ConnectionOptions, Worker } from 'bullmq';
import { processorFor } from '../jobs/index.js';
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
    processorFor(statsJob.queue, {
      statsReport: async () => {
        const report = await handlers.report();
        return report
          ? { at: report.at, nodes: report.nodes.length }
          : { skipped: 'window already reported' };
      },
      dashboardLine: (_payload, job) => handlers.dashboardLine(job.timestamp + (job.delay ?? 0)),
    }),
    { connection: settings.connection, prefix: settings.prefix, concurrency: 1, drainDelay: IDLE_WAIT_S },
  );
  return logWorkerEvents(
    worker,
    logger,
    'stats',
    jobFailedLine(logger, (job) => job?.name ?? 'stats'),
  );
}
