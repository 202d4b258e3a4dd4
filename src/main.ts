/**
 * Composition root: config -> logger -> Redis -> roles (scheduler, worker, server, gateway, agent).
 * Each role (`src/roles/`) registers what it starts with one lifecycle as it starts it, so a start
 * that fails half-way (a port in use after the workers started, say) stops what it had started,
 * and a shutdown is the same walk back: last started, first stopped.
 */
import { watchConfigFile } from './config/reload.js';
import { Secrets } from './config/secrets.js';
import { refuseStartOnlyChanges } from './config/start-only.js';
import type { MeshConfig } from './config/types.js';
import { startAgentRole } from './roles/agent.js';
import { openContext, type RoleContext } from './roles/context.js';
import { type RunningGateway, startGatewayRole } from './roles/gateway.js';
import { LiveConfig } from './roles/live-config.js';
import { startSchedulerRole } from './roles/scheduler.js';
import { type RunningServer, startServerRole } from './roles/server.js';
import { startStats } from './roles/stats.js';
import { startWorkerRole, type WorkerRoleOptions } from './roles/worker.js';
import { Lifecycle } from './runtime/lifecycle.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { describeRedisUrl } from './runtime/redis.js';

export const ROLES = ['scheduler', 'worker', 'server', 'gateway', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface ServiceOptions extends WorkerRoleOptions {
  config: MeshConfig;
  /** Where the config came from (watched for changes), or null for defaults. */
  configSource: string | null;
  /** Re-reads the config (file change, SIGHUP). */
  loadConfig(): Promise<MeshConfig>;
  roles: readonly Role[];
  logger?: Logger;
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
   * Closes everything, last started first; resolves false when some part did not close cleanly
   * (each is logged). It may wait as long as Redis does: `gpu-mesh start` bounds it (`runtime/shutdown.ts`).
   */
  shutDown(): Promise<boolean>;
  /** `shutDown`, for callers that need not know how it went. */
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const config = new LiveConfig(options.config);
  const secrets = new Secrets(options.config);
  const logger = options.logger ?? (await serviceLogger(options.config, secrets));
  const lifecycle = new Lifecycle(logger);
  const has = (role: Role) => options.roles.includes(role);
  announce(logger, options);
  const started = await lifecycle.starting(async () => {
    const context = openContext({ config, secrets, logger, now: options.now ?? Date.now, lifecycle });
    config.onReload((next) => secrets.update(next));
    if (has('worker')) startWorkerRole(context, options);
    const stats = await startStats(context, { scheduler: has('scheduler'), worker: has('worker') });
    if (has('scheduler')) await startSchedulerRole(context, stats);
    const server = has('server') ? await startServerRole(context) : null;
    const gateway = has('gateway') ? await startGatewayRole(context) : null;
    if (has('agent')) await startAgentRole(context, options.agentNodeId);
    return { server, gateway, reload: watchConfig(context, options) };
  });
  const shutDown = async (): Promise<boolean> => {
    const clean = await lifecycle.releaseAll();
    logger.info(clean ? 'gpu-mesh stopped' : 'gpu-mesh stopped, some parts not cleanly');
    return clean;
  };
  return {
    logger,
    config: () => config.current(),
    ...started,
    shutDown,
    close: async () => {
      await shutDown();
    },
  };
}

function announce(logger: Logger, options: ServiceOptions): void {
  const { redis, nodes } = options.config;
  logger.info(
    { roles: options.roles, redis: describeRedisUrl(redis.url), prefix: redis.prefix, nodes: nodes.length },
    `gpu-mesh starting (${options.roles.join(', ')})`,
  );
  if (nodes.length === 0) logger.warn({ severity: 'WARNING' }, 'no nodes configured: the mesh is empty');
}

/** Follows mesh.yaml (file changes, SIGHUP): a valid edit is applied, anything else refused with an ERROR. */
function watchConfig(context: RoleContext, options: ServiceOptions): () => Promise<void> {
  const { config, logger } = context;
  const watcher = context.lifecycle.hold(
    watchConfigFile({
      path: options.configSource,
      initial: config.current(),
      load: async () => {
        const next = await options.loadConfig();
        refuseStartOnlyChanges(config.current(), next);
        return next;
      },
      onChange: (next) => {
        config.apply(next).then(
          (diff) =>
            logger.info(
              {
                added: diff.added.map((n) => n.id),
                removed: diff.removed.map((n) => n.id),
                changed: diff.changed.map((n) => n.id),
              },
              'config reloaded',
            ),
          (error: Error) =>
            logger.error({ severity: 'ERROR', err: error.message }, `config reload failed: ${error.message}`),
        );
      },
      onError: (error) =>
        logger.error(
          { severity: 'ERROR', err: error.message },
          `config change refused, the running config stays: ${error.message}`,
        ),
    }),
    'config watcher',
    (started) => started.close(),
  );
  return () => watcher.reload();
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
