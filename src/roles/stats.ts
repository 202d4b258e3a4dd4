/**
 * The stats part of a process: the scheduler role keeps the stats and dashboard-line schedules in
 * place (idempotent upserts), the worker role runs their jobs (`workers/stats.ts`). main.ts starts
 * it in one call, for whichever of the two roles the process has.
 */
import { Queue } from 'bullmq';
import type { MeshConfig } from '../config/types.js';
import { runDashboardLine } from '../jobs/dashboard-line.js';
import { runStatsReport, statsJob, upsertStatsSchedules } from '../jobs/stats.js';
import { ReportStore } from '../metrics/report-store.js';
import { logErrors } from '../runtime/error-log.js';
import { startStatsWorker } from '../workers/stats.js';
import { type RoleContext, WORKERS_STAGE } from './context.js';

export interface StatsRole {
  /** After a config reload: the intervals may have changed. */
  reschedule(config: MeshConfig): Promise<void>;
}

export async function startStats(
  context: RoleContext,
  roles: { scheduler: boolean; worker: boolean },
): Promise<StatsRole> {
  const { lifecycle, redis, prefix, logger, now } = context;
  const config = () => context.config.current();
  const queue = roles.scheduler
    ? lifecycle.hold(
        logErrors(new Queue(statsJob.queue, { connection: redis, prefix }), logger, 'stats queue'),
        'stats queue',
        (started) => started.close(),
      )
    : null;
  if (queue) await upsertStatsSchedules(queue, config());
  if (roles.worker) {
    const reports = new ReportStore(redis, prefix);
    lifecycle.hold(
      startStatsWorker(
        { connection: redis, prefix, logger },
        {
          report: () => runStatsReport({ config, redis, prefix, reports, logger, now }),
          dashboardLine: (plannedAt) => runDashboardLine({ config, redis, logger, now }, plannedAt),
        },
      ),
      'stats worker',
      (started) => started.close(),
      WORKERS_STAGE,
    );
  }
  return {
    reschedule: async (current) => {
      if (queue) await upsertStatsSchedules(queue, current);
    },
  };
}
