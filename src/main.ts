/**
 * Composition root: config -> logger -> Redis -> roles (scheduler, worker, server, agent).
 * Everything else receives what it needs as arguments; this is the one place that builds the
 * real dependencies and closes them, in order, on shutdown.
 */
import { Queue, type Worker } from 'bullmq';
import { type RunningServer, startServer } from './board/server.js';
import { diffNodes } from './config/diff.js';
import { secretValues } from './config/mask.js';
import { watchConfigFile } from './config/reload.js';
import type { MeshConfig, NodeConfig } from './config/types.js';
import { healthCheckJob } from './jobs/health-check.js';
import { QUEUE_NAMES } from './jobs/queues.js';
import {
  checkNewNodesNow,
  removeNodeSchedules,
  syncNodeSchedules,
  upsertNodeSchedules,
} from './jobs/schedules.js';
import { publishNodes } from './mesh/registry.js';
import { NodeStore } from './mesh/store.js';
import { logTransition } from './mesh/transition-log.js';
import { createProbe, type Probe } from './probes/probe-service.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { connectForService, describeRedisUrl } from './runtime/redis.js';
import { startHealthCheckWorker } from './workers/health-check.js';

export const ROLES = ['scheduler', 'worker', 'server', 'agent'] as const;
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
  now?: () => number;
}

export interface RunningService {
  logger: Logger;
  config(): MeshConfig;
  reload(): Promise<void>;
  server: RunningServer | null;
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 8000;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  let config = options.config;
  const logger = options.logger ?? (await serviceLogger(config));
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
  const checkQueue = new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix });
  let nodesById = indexNodes(config.nodes);

  const closers: (() => Promise<unknown>)[] = [];
  let probe: Probe | null = null;
  let worker: Worker | null = null;

  if (has('worker')) {
    probe = createProbe();
    worker = startHealthCheckWorker(
      { connection: redis, prefix, concurrency: options.concurrency ?? 100 },
      {
        findNode: (id) => nodesById.get(id),
        probe: probe.check,
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
        onChange: async (node, transitions) => {
          for (const transition of transitions) logTransition(logger, node, transition);
        },
      },
    );
    worker.on('error', (error) => logger.error({ err: error.message }, 'health-check worker error'));
    worker.on('failed', (job, error) =>
      logger.error({ job: job?.name, err: error.message }, `health-check job failed: ${error.message}`),
    );
  }

  if (has('scheduler')) {
    await publishNodes(redis, prefix, config.nodes);
    await syncNodeSchedules(checkQueue, config.nodes);
    await checkNewNodesNow(checkQueue, store, config.nodes);
    logger.info({ nodes: config.nodes.filter((n) => n.enabled).length }, 'check schedules in place');
  }

  const server = has('server')
    ? await startServer({ config: () => config, redis, store, checkQueue, logger, now })
    : null;

  const applyConfig = async (next: MeshConfig): Promise<void> => {
    const diff = diffNodes(config.nodes, next.nodes);
    config = next;
    nodesById = indexNodes(next.nodes);
    if (has('scheduler')) {
      const gone = [...diff.removed, ...diff.changed.filter((node) => !node.enabled)].map((node) => node.id);
      await removeNodeSchedules(checkQueue, gone);
      await upsertNodeSchedules(checkQueue, [...diff.added, ...diff.changed]);
      await publishNodes(redis, prefix, next.nodes);
      await checkNewNodesNow(checkQueue, store, diff.added);
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
    load: options.loadConfig,
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

  closers.push(async () => watcher.close());
  if (server) closers.push(() => server.close());
  if (worker) {
    const closing = worker;
    closers.push(() => closeWorker(closing, logger));
  }
  closers.push(() => checkQueue.close());
  if (probe) closers.push(async () => probe?.close());
  closers.push(() => redis.quit().catch(() => redis.disconnect()));

  return {
    logger,
    config: () => config,
    reload: () => watcher.reload(),
    server,
    close: async () => {
      for (const close of closers) {
        await close().catch((error: Error) => logger.warn({ err: error.message }, 'error while closing'));
      }
      logger.info('gpu-mesh stopped');
    },
  };
}

function indexNodes(nodes: readonly NodeConfig[]): Map<string, NodeConfig> {
  return new Map(nodes.map((node) => [node.id, node]));
}

async function serviceLogger(config: MeshConfig): Promise<Logger> {
  return createLogger({
    level: config.log.level,
    file: config.log.file,
    secrets: secretValues(config),
    pretty: Boolean(process.stdout.isTTY),
  });
}

/** Active checks finish (they are bounded by checks.timeout); past the grace period, give up on them. */
async function closeWorker(worker: Worker, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SHUTDOWN_GRACE_MS);
  });
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), grace]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn('active jobs did not finish in time; their locks expire and other processes retry them');
    await worker.close(true);
  }
}
