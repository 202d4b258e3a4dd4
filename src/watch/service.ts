/**
 * The keep-alive watch as the scheduler role runs it (`keepalive.watch`, docs/checks.md): every scheduler
 * process holds one idle connection per enabled node; a lost one logs a line, counts, and
 * enqueues a check of the node now. The check takes the normal path (fast confirms, thresholds,
 * alerts, `mass_failure`, recovery): the watch itself never decides that a node is down.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import { WatchReports } from './reports.js';
import { KeepAliveWatcher, type WatchTarget } from './watcher.js';

export interface KeepAliveWatchDeps {
  redis: Redis;
  prefix: string;
  /** The `health-check` queue. */
  queue: Queue;
  config: MeshConfig;
  logger: Logger;
}

export interface KeepAliveWatch {
  /** Applies a reloaded config: watches added nodes, closes removed or disabled ones. */
  update(config: MeshConfig): void;
  /** Closes every connection and writes what is still unreported. */
  close(): Promise<void>;
}

const CLOSE_FLUSH_MS = 2000;

export function startKeepAliveWatch(deps: KeepAliveWatchDeps): KeepAliveWatch {
  const { logger } = deps;
  const reports = new WatchReports(deps.redis, deps.prefix, deps.queue, logger);
  const watcher = new KeepAliveWatcher({
    intervalMs: deps.config.keepalive.interval,
    events: {
      fired: (nodeId, cause) => {
        logger.info({ node: nodeId, cause }, `watch on ${nodeId} fired: ${describeCause(cause)}`);
        reports.fire(nodeId);
      },
      state: (nodeId, state) => reports.state(nodeId, state),
      reconnected: (nodeId, attempts) =>
        logger.debug({ node: nodeId, attempts }, `watch on ${nodeId} connected again`),
    },
  });

  const apply = (config: MeshConfig): void => {
    watcher.set(watchTargets(config), config.keepalive.interval);
    const watched = config.keepalive.watch;
    for (const node of config.nodes) if (!watched || !node.enabled) reports.state(node.id, 'off');
  };
  apply(deps.config);
  if (deps.config.keepalive.watch) {
    logger.info({ nodes: watcher.size }, `keep-alive watch on ${watcher.size} nodes`);
  }

  return {
    update: apply,
    close: async () => {
      watcher.close();
      // What is left is a few state reports: not worth a shutdown stuck on an unreachable Redis.
      await withinMs(reports.flush(), CLOSE_FLUSH_MS);
    },
  };
}

/** The enabled nodes, or none when `keepalive.watch` is off. */
export function watchTargets(config: MeshConfig): WatchTarget[] {
  if (!config.keepalive.watch) return [];
  return config.nodes
    .filter((node) => node.enabled)
    .map((node) => ({ id: node.id, url: node.url, timeoutMs: node.checks.timeout }));
}

/** What a person reads: a closed or reset connection is "connection reset"; the detail stays in `cause`. */
function describeCause(cause: string): string {
  if (cause === 'closed' || cause === 'ECONNRESET' || cause === 'EPIPE') return 'connection reset';
  if (/^E[A-Z_]+$/.test(cause)) return `connection lost (${cause})`;
  return cause;
}

function withinMs(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
