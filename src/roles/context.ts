/**
 * What every role of a process shares: the live config, one Redis connection, the node store, the
 * `health-check` queue and the schedules, the logger and the clock, and the lifecycle each role
 * registers what it starts with (so that a start that fails half-way leaves nothing running).
 *
 * Roles (`src/roles/*`) start one after another from `main.ts`; each is `start(context)` and
 * registers its own releasers. Nothing below `roles/` imports from here.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Secrets } from '../config/secrets.js';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { CheckSchedule } from '../jobs/schedules.js';
import { NodeStore } from '../mesh/store.js';
import { logErrors } from '../runtime/error-log.js';
import type { Lifecycle } from '../runtime/lifecycle.js';
import type { Logger } from '../runtime/logger.js';
import { connectForService } from '../runtime/redis.js';
import { forgetNodes } from './forget-nodes.js';
import type { LiveConfig } from './live-config.js';
import { ScheduleKeeper } from './schedule-keeper.js';

/**
 * How long active jobs get to finish on shutdown. Leaves room, under the process's 9 s deadline
 * (`SHUTDOWN_DEADLINE_MS`), for the queues and Redis to close after the workers.
 */
export const SHUTDOWN_GRACE_MS = 6000;

/** The releasers that run together on shutdown: every worker shares one grace. */
export const WORKERS_STAGE = 'workers';

export interface RoleContext {
  config: LiveConfig;
  secrets: Secrets;
  logger: Logger;
  now(): number;
  lifecycle: Lifecycle;
  redis: Redis;
  prefix: string;
  store: NodeStore;
  /** The `health-check` queue: scheduled batches, confirms, watch- and person-triggered checks. */
  checkQueue: Queue;
  /** The due set the dispatcher hands checks out from. */
  checkSchedule: CheckSchedule;
  /** Every schedule of the mesh, asserted at start, on reload and after Redis lost its data. */
  schedules: ScheduleKeeper;
  findNode(id: string): NodeConfig | undefined;
}

export interface ContextParts {
  config: LiveConfig;
  secrets: Secrets;
  logger: Logger;
  now(): number;
  lifecycle: Lifecycle;
}

/** Connects to Redis and opens what every role uses, each registered for release. */
export function openContext(parts: ContextParts): RoleContext {
  const { lifecycle, logger, now } = parts;
  const initial: MeshConfig = parts.config.current();
  const prefix = initial.redis.prefix;
  const redis = lifecycle.hold(connectForService(initial.redis.url, logger, 'main'), 'redis', (connection) =>
    connection.quit().catch(() => connection.disconnect()),
  );
  const checkQueue = lifecycle.hold(
    logErrors(
      new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix }),
      logger,
      'health-check queue',
    ),
    'health-check queue',
    (queue) => queue.close(),
  );
  const checkSchedule = new CheckSchedule(redis, prefix);
  const schedules = lifecycle.hold(
    new ScheduleKeeper(redis, prefix, checkSchedule, now, logger, (ids) => forgetNodes(redis, prefix, ids)),
    'schedules',
    (keeper) => keeper.close(),
  );
  return {
    ...parts,
    redis,
    prefix,
    store: new NodeStore(redis, prefix),
    checkQueue,
    checkSchedule,
    schedules,
    findNode: (id) => parts.config.node(id),
  };
}
