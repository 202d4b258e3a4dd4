/**
 * Role `scheduler`: keeps every schedule of the mesh in place (node checks in the due set, the
 * keepalive sweep, stats, alert evaluation, the heartbeat), hands due checks out as batch jobs,
 * and holds the keep-alive watch (one idle connection per node; its loss enqueues a check now).
 */
import { startKeepAliveWatch } from '../watch/service.js';
import { syncAlertSchedules } from '../workers/alerting.js';
import { startDispatcher } from '../workers/dispatcher.js';
import type { RoleContext } from './context.js';
import type { StatsRole } from './stats.js';

export async function startSchedulerRole(context: RoleContext, stats: StatsRole): Promise<void> {
  const { lifecycle, logger, redis, prefix, schedules, checkQueue, now } = context;
  // Every schedule of the mesh, so that a Redis that lost its data gets all of them back.
  schedules.add((current) => stats.reschedule(current));
  schedules.add((current) => syncAlertSchedules(redis, prefix, current));
  await schedules.assert(context.config.current());
  lifecycle.hold(
    startDispatcher({ schedule: context.checkSchedule, queue: checkQueue, logger, now }),
    'dispatcher',
    (dispatcher) => dispatcher.close(),
  );
  // A Redis that lost its data also lost the keepalive sweep's own scheduler: notice it here.
  lifecycle.hold(
    setInterval(() => {
      schedules.assertIfLost(context.config.current(), logger).catch(() => undefined);
    }, context.config.current().keepalive.interval).unref(),
    'schedule watchdog',
    (timer) => clearInterval(timer),
  );
  const watch = lifecycle.hold(
    startKeepAliveWatch({ redis, prefix, queue: checkQueue, config: context.config.current(), logger }),
    'keep-alive watch',
    (started) => started.close(),
  );
  context.config.onReload(async (next) => {
    await schedules.assert(next);
    watch.update(next);
  });
  const enabled = context.config.current().nodes.filter((node) => node.enabled).length;
  logger.info({ nodes: enabled }, 'check schedules in place');
}
