/** Glue from the `stats` queue to its two jobs: the stats report and the dashboard line. */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import { dashboardLineJob } from '../jobs/dashboard-line.js';
import { statsJob } from '../jobs/stats.js';

export interface StatsWorkerHandlers {
  report(): Promise<{ at: string; nodes: unknown[] }>;
  dashboardLine(): Promise<string>;
}

export function startStatsWorker(
  settings: { connection: ConnectionOptions; prefix: string },
  handlers: StatsWorkerHandlers,
): Worker {
  return new Worker(
    statsJob.queue,
    async (job) => {
      if (job.name === statsJob.jobName) {
        const report = await handlers.report();
        return { at: report.at, nodes: report.nodes.length };
      }
      if (job.name === dashboardLineJob.jobName) return handlers.dashboardLine();
      throw new UnrecoverableError(`unknown job "${job.name}" on the ${statsJob.queue} queue`);
    },
    { connection: settings.connection, prefix: settings.prefix, concurrency: 1 },
  );
}
