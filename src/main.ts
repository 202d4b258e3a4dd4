/**
 * Composition root: config -> logger -> Redis -> roles (scheduler, worker, server, gateway, agent).
 * Everything else receives what it needs as arguments; this is the one place that builds the
 * real dependencies and closes them, in order, on shutdown.
 */
import { Queue, type Worker } from 'bullmq';
import type { RunningServer } from './board/server.js';
import { diffNodes } from './config/diff.js';
import { watchConfigFile } from './config/reload.js';
import { Secrets } from './config/secrets.js';
import { refuseStartOnlyChanges } from './config/start-only.js';
import type { MeshConfig, NodeConfig } from './config/types.js';
import type { RunningGateway } from './gateway/service.js';
import { type HealthCheckDeps, healthCheckJob } from './jobs/health-check.js';
import { QUEUE_NAMES } from './jobs/queues.js';
import { ScheduleKeeper } from './jobs/reassert.js';
import { CheckSchedule } from './jobs/schedules.js';
import { NodeStore } from './mesh/store.js';
import { logTransition } from './mesh/transition-log.js';
import { CheckRecorder } from './metrics/check-recorder.js';
import { createProbe, type Probe } from './probes/probe-service.js';
import { logRecoveryEvent, logStalled } from './recovery/events-log.js';
import { type SelfHealing, startSelfHealing } from './recovery/service.js';
import { logErrors } from './runtime/error-log.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { connectForService, describeRedisUrl } from './runtime/redis.js';
import { Semaphore } from './runtime/semaphore.js';
import { type KeepAliveWatch, startKeepAliveWatch } from './watch/service.js';
import { type Alerting, type AlertingTuning, startAlerting, syncAlertSchedules } from './workers/alerts.js';
import { closeWorker } from './workers/close.js';
import { startDispatcher } from './workers/dispatcher.js';
import { startHealthCheckWorker } from './workers/health-check.js';
import { startStatsRole } from './workers/stats-role.js';

export const ROLES = ['scheduler', 'worker', 'server', 'gateway', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface ServiceOptions {
  config: MeshConfig;
  /** Where the config came from (watched for changes), or null for defaults. */
  configSource: string | null;
  /** Re-reads the config (file change, SIGHUP). */
  loadConfig(): Promise<MeshConfig>;
  roles: readonly Role[];
  logger?: Logger;
  /** Health-check jobs processed at once by this process. */
  concurrency?: number;
  /** Recovery job lock duration (tests shorten it to see a killed holder's job taken over sooner). */
  recoveryLockMs?: number;
  /** The alert workers' own settings (tests shorten delivery retries). */
  alerting?: AlertingTuning;
  now?: () => number;
  /** The node this process is the GPU-host agent of (required with the `agent` role: `--node ID`). */
  agentNodeId?: string;
}

export interface RunningService {
  logger: Logger;
  config(): MeshConfig;
  reload(): Promise<void>;
  server: RunningServer | null;
  /** The inference gateway, when this process runs the `gateway` role. */
  gateway: RunningGateway | null;
  /**
   * Closes everything, in order; resolves false when some part did not close cleanly (each is
   * logged). It may wait as long as Redis does: `gpu-mesh start` bounds it (`runtime/shutdown.ts`).
   */
  shutDown(): Promise<boolean>;
  /** `shutDown`, for callers that need not know how it went. */
  close(): Promise<void>;
}

/**
 * How long active jobs get to finish on shutdown. Leaves room, under the process's 9 s deadline
 * (`SHUTDOWN_DEADLINE_MS`), for the queues and Redis to close after the workers.
 */
const SHUTDOWN_GRACE_MS = 6000;
/** Probes one process runs at once: more cost more CPU per check without finishing sooner (BENCHMARKS.md). */
const PROBES_IN_FLIGHT = 100;
/**
 * Health-check jobs one process runs at once. A batch job holds its place until its slowest
 * check ends (a node that never answers: `checks.timeout`), so there are many more places than
 * the checks in flight need, lest a few hanging nodes hold up everything else.
 */
const CHECK_JOBS_AT_ONCE = 64;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  let config = options.config;
  const secrets = new Secrets(config);
  const logger = options.logger ?? (await serviceLogger(config, secrets));
  const now = options.now ?? Date.now;
  const prefix = config.redis.prefix;
  const has = (role: Role) => options.roles.includes(role);
  logger.info(
    { roles: options.roles, redis: describeRedisUrl(config.redis.url), prefix, nodes: config.nodes.length },
    `gpu-mesh starting (${options.roles.join(', ')})`,
  );
  if (config.nodes.length === 0)
    logger.warn({ severity: 'WARNING' }, 'no nodes configured: the mesh is empty');

  const redis = connectForService(config.redis.url, logger, 'main');
  const store = new NodeStore(redis, prefix);
  const checkQueue = logErrors(
    new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix }),
    logger,
    'health-check queue',
  );
  const checkRecorder = new CheckRecorder(redis, prefix, () => config, logger);
  let nodesById = indexNodes(config.nodes);
  const checkSchedule = new CheckSchedule(redis, prefix);
  const schedules = new ScheduleKeeper(redis, prefix, checkSchedule, now, logger);

  const closers: (() => Promise<unknown>)[] = [];
  let probe: Probe | null = null;
  let worker: Worker | null = null;

  let selfHealing: SelfHealing | null = null;
  const alerting: Alerting | null = has('worker')
    ? startAlerting({
        connection: redis,
        prefix,
        config: () => config,
        store,
        logger,
        now,
        tuning: { closeGraceMs: SHUTDOWN_GRACE_MS, ...options.alerting },
      })
    : null;
  if (has('worker')) {
    const activeProbe = createProbe();
    const probesInFlight = new Semaphore(PROBES_IN_FLIGHT);
    probe = activeProbe;
    const checkDeps: HealthCheckDeps = {
      findNode: (id) => nodesById.get(id),
      probe: activeProbe.check,
      inFlight: (task) => probesInFlight.run(task),
      batchDone: (nodeIds) => checkSchedule.done(nodeIds),
      store,
      retainMs: config.stats.retain,
      now,
      scheduleConfirm: async (nodeId, jobId, delay) => {
        await checkQueue.add(
          healthCheckJob.jobName(nodeId),
          { nodeId, reason: 'confirm' },
          { ...healthCheckJob.options, jobId, delay },
        );
      },
      onChecked: checkRecorder.observe,
      onChange: async (node, transitions, signals) => {
        if (alerting) await alerting.emit(node, transitions, signals);
        else for (const transition of transitions) logTransition(logger, node, transition);
        await selfHealing?.onTransitions(node, transitions);
      },
    };
    worker = startHealthCheckWorker(
      { connection: redis, prefix, concurrency: options.concurrency ?? CHECK_JOBS_AT_ONCE },
      checkDeps,
    );
    logErrors(worker, logger, 'health-check worker');
    worker.on('failed', (job, error) =>
      logger.error({ job: job?.name, err: error.message }, `health-check job failed: ${error.message}`),
    );
    selfHealing = startSelfHealing({
      redis,
      prefix,
      config: () => config,
      findNode: (id) => nodesById.get(id),
      store,
      checkDeps,
      unloadModels: (node, models) => activeProbe.unloadModels(node, models),
      // With alerting, the log channel writes these as alerts (one line each); without, a plain log line.
      emit: async (event) => (alerting ? alerting.recoveryEvent(event) : logRecoveryEvent(logger, event)),
      keepalive: {
        reportStalled: async (stalled) =>
          alerting ? alerting.monitorStalled(stalled) : logStalled(logger, stalled),
        warm: (node, models, keepAliveMs) => activeProbe.warmModels(node, models, keepAliveMs),
        reassertSchedules: (current) => schedules.assert(current),
      },
      logger,
      now,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      lockDurationMs: options.recoveryLockMs,
    });
  }

  const stats = await startStatsRole({
    redis,
    prefix,
    logger,
    now,
    config: () => config,
    scheduler: has('scheduler'),
    worker: has('worker'),
  });

  let scheduleWatchdog: NodeJS.Timeout | undefined;
  let keepAliveWatch: KeepAliveWatch | null = null;
  if (has('scheduler')) {
    // Every schedule of the mesh, so that a Redis that lost its data gets all of them back.
    schedules.add((current) => stats.reschedule(current));
    schedules.add((current) => syncAlertSchedules(redis, prefix, current));
    await schedules.assert(config);
    const dispatcher = startDispatcher({ schedule: checkSchedule, queue: checkQueue, logger, now });
    closers.push(() => dispatcher.close());
    // A Redis that lost its data also lost the keepalive sweep's own scheduler: notice it here.
    scheduleWatchdog = setInterval(() => {
      schedules.assertIfLost(config, logger).catch(() => undefined);
    }, config.keepalive.interval);
    scheduleWatchdog.unref();
    // One idle connection per node; its loss enqueues a check now (src/watch).
    const watch = startKeepAliveWatch({ redis, prefix, queue: checkQueue, config, logger });
    keepAliveWatch = watch;
    closers.push(() => watch.close());
    logger.info({ nodes: config.nodes.filter((n) => n.enabled).length }, 'check schedules in place');
  }

  const server = has('server')
    ? // Loaded only where it runs: express and Bull Board add some 20 MB to a process.
      await (await import('./board/server.js')).startServer({
        config: () => config,
        redis,
        store,
        checkQueue,
        logger,
        now,
      })
    : null;

  // The inference gateway: its own port, its own metrics; loaded only where it runs.
  const gateway = has('gateway')
    ? await (await import('./gateway/service.js')).startGateway({
        config: () => config,
        redis,
        checkQueue,
        logger,
      })
    : null;

  // The GPU-host agent of one node: runs its restart command on request, publishes GPU telemetry.
  if (has('agent')) {
    if (!options.agentNodeId) throw new Error('the agent role needs agentNodeId (--node ID)');
    const { startAgent } = await import('./agent/index.js');
    const agent = startAgent({
      redis,
      prefix,
      nodeId: options.agentNodeId,
      findNode: (id) => nodesById.get(id),
      logger,
      secrets,
      now,
    });
    closers.push(() => agent.close());
  }

  const applyConfig = async (next: MeshConfig): Promise<void> => {
    const diff = diffNodes(config.nodes, next.nodes);
    secrets.update(next);
    config = next;
    nodesById = indexNodes(next.nodes);
    store.forgetExcept(new Set(nodesById.keys()));
    gateway?.update(next);
    if (has('scheduler')) {
      await schedules.assert(next);
      keepAliveWatch?.update(next);
    }
    logger.info(
      {
        added: diff.added.map((n) => n.id),
        removed: diff.removed.map((n) => n.id),
        changed: diff.changed.map((n) => n.id),
      },
      'config reloaded',
    );
  };

  const watcher = watchConfigFile({
    path: options.configSource,
    initial: config,
    load: async () => {
      const next = await options.loadConfig();
      refuseStartOnlyChanges(config, next);
      return next;
    },
    onChange: (next) => {
      applyConfig(next).catch((error: Error) =>
        logger.error({ severity: 'ERROR', err: error.message }, `config reload failed: ${error.message}`),
      );
    },
    onError: (error) =>
      logger.error(
        { severity: 'ERROR', err: error.message },
        `config change refused, the running config stays: ${error.message}`,
      ),
  });

  closers.push(async () => {
    watcher.close();
    clearInterval(scheduleWatchdog);
  });
  if (server) closers.push(() => server.close());
  if (gateway) closers.push(() => gateway.close());
  const closingWorker = worker;
  const closingHealing = selfHealing;
  // Every worker at once, so that they share one grace rather than wait in turn.
  closers.push(() =>
    Promise.all([
      closingWorker && closeWorker(closingWorker, logger, SHUTDOWN_GRACE_MS),
      closingHealing?.close(),
      alerting?.close(),
      stats.close(),
    ]),
  );
  closers.push(() => Promise.all([checkQueue.close(), schedules.close()]));
  if (probe) closers.push(async () => probe?.close());
  closers.push(() => redis.quit().catch(() => redis.disconnect()));

  const shutDown = async (): Promise<boolean> => {
    let clean = true;
    for (const close of closers) {
      await close().catch((error: Error) => {
        clean = false;
        logger.warn({ err: error.message }, `not closed cleanly: ${error.message}`);
      });
    }
    logger.info(clean ? 'gpu-mesh stopped' : 'gpu-mesh stopped, some parts not cleanly');
    return clean;
  };

  return {
    logger,
    config: () => config,
    reload: () => watcher.reload(),
    server,
    gateway,
    shutDown,
    close: async () => {
      await shutDown();
    },
  };
}

function indexNodes(nodes: readonly NodeConfig[]): Map<string, NodeConfig> {
  return new Map(nodes.map((node) => [node.id, node]));
}

/** Masks `secrets` in every line: the same object the reloads update. */
async function serviceLogger(config: MeshConfig, secrets: Secrets): Promise<Logger> {
  return createLogger({
    level: config.log.level,
    file: config.log.file,
    secrets,
    pretty: Boolean(process.stdout.isTTY),
  });
}
