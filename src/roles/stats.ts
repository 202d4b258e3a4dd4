/**
 * The stats part of a process: the scheduler role keeps the stats and dashboard-line schedules in
 * place, the worker role runs their jobs (`workers/stats-role.ts`).
 */
import { type StatsRole, startStatsRole } from '../workers/stats-role.js';
import { type RoleContext, WORKERS_STAGE } from './context.js';

export type { StatsRole };

export async function startStats(context: RoleContext, roles: { scheduler: boolean; worker: boolean }) {
  const { lifecycle, redis, prefix, logger, now } = context;
  return lifecycle.hold(
    await startStatsRole({ redis, prefix, logger, now, config: () => context.config.current(), ...roles }),
    'stats',
    (started) => started.close(),
    WORKERS_STAGE,
  );
}
