/**
 * Role `worker`: runs the jobs. Checks (probe -> state machine -> transitions), then alerting
 * (rules, routing, deliveries) and self-healing (recovery, the keepalive sweep) on what the checks
 * changed; stats jobs are the stats role's.
 */
import type { HealthCheckDeps } from '../jobs/health-check.js';
import { healthCheckJob } from '../jobs/health-check.js';
import { CheckRecorder } from '../metrics/check-recorder.js';
import { createProbe } from '../probes/probe-service.js';
import { Semaphore } from '../runtime/semaphore.js';
import { type AlertingTuning, startAlerting } from '../workers/alerting.js';
import { closeWorker } from '../workers/close.js';
import { startHealthCheckWorker } from '../workers/health-check.js';
import { type SelfHealing, startSelfHealing } from '../workers/self-healing.js';
import { type RoleContext, SHUTDOWN_GRACE_MS, WORKERS_STAGE } from './context.js';

export interface WorkerRoleOptions {
  /** Health-check jobs processed at once by this process. */
  concurrency?: number;
  /** Recovery job lock duration (tests shorten it to see a killed holder's job taken over sooner). */
  recoveryLockMs?: number;
  /** The alert workers' own settings (tests shorten delivery retries). */
  alerting?: AlertingTuning;
}

/** Probes one process runs at once: more cost more CPU per check without finishing sooner (BENCHMARKS.md). */
const PROBES_IN_FLIGHT = 100;
/**
 * Health-check jobs one process runs at once. A batch job holds its place until its slowest
 * check ends (a node that never answers: `checks.timeout`), so there are many more places than
 * the checks in flight need, lest a few hanging nodes hold up everything else.
 */
const CHECK_JOBS_AT_ONCE = 64;

export function startWorkerRole(context: RoleContext, options: WorkerRoleOptions): void {
  const { lifecycle, logger, redis, prefix, store, checkQueue, now } = context;
  const config = () => context.config.current();
  const alerting = lifecycle.hold(
    startAlerting({
      connection: redis,
      prefix,
      config,
      store,
      logger,
      now,
      tuning: { closeGraceMs: SHUTDOWN_GRACE_MS, ...options.alerting },
    }),
    'alerting',
    (started) => started.close(),
    WORKERS_STAGE,
  );
  const probe = lifecycle.hold(createProbe(), 'probe', (started) => started.close());
  const probesInFlight = new Semaphore(PROBES_IN_FLIGHT);
  const recorder = new CheckRecorder(redis, prefix, config, logger);
  let selfHealing: SelfHealing | null = null;
  const checkDeps: HealthCheckDeps = {
    findNode: context.findNode,
    probe: probe.check,
    inFlight: (task) => probesInFlight.run(task),
    batchDone: (nodeIds) => context.checkSchedule.done(nodeIds),
    store,
    retainMs: () => config().stats.retain,
    now,
    scheduleConfirm: async (nodeId, jobId, delay) => {
      await checkQueue.add(
        healthCheckJob.jobName(nodeId),
        { nodeId, reason: 'confirm' },
        { ...healthCheckJob.options, jobId, delay },
      );
    },
    onChecked: recorder.observe,
    onChange: async (node, transitions, signals) => {
      await alerting.emit(node, transitions, signals);
      await selfHealing?.onTransitions(node, transitions);
    },
  };
  lifecycle.hold(
    startHealthCheckWorker(
      { connection: redis, prefix, concurrency: options.concurrency ?? CHECK_JOBS_AT_ONCE, logger },
      checkDeps,
    ),
    'health-check worker',
    (started) => closeWorker(started, logger, SHUTDOWN_GRACE_MS),
    WORKERS_STAGE,
  );
  selfHealing = lifecycle.hold(
    startSelfHealing({
      redis,
      prefix,
      config,
      findNode: context.findNode,
      store,
      checkDeps,
      unloadModels: (node, models) => probe.unloadModels(node, models),
      emit: (event) => alerting.recoveryEvent(event),
      sweep: {
        reportStalled: (stalled) => alerting.monitorStalled(stalled),
        warm: (node, models, keepAliveMs) => probe.warmModels(node, models, keepAliveMs),
        reassertSchedules: (current) => context.schedules.assert(current),
        evaluateAlerts: () => alerting.evaluateSoon(),
      },
      logger,
      now,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      lockDurationMs: options.recoveryLockMs,
    }),
    'self-healing',
    (started) => started.close(),
    WORKERS_STAGE,
  );
  context.config.onReload((next) => context.store.forgetExcept(new Set(next.nodes.map((node) => node.id))));
}
