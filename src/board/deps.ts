/** What the HTTP server is given by the composition root, and what its routes are given in turn. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { MeshConfig } from '../config/types.js';
import type { NodeStore } from '../mesh/store.js';
import type { Logger } from '../runtime/logger.js';
import type { MeshQueues } from './queues.js';

export interface ServerDeps {
  config(): MeshConfig;
  /**
   * The service's connection. Requests never wait on it: the server talks to Redis on a fail-fast
   * copy of it (`request-redis.ts`); the event stream's subscription is another copy.
   */
  redis: Redis;
  /** Unused by the server, which opens its own queues on its fail-fast connection. */
  store?: NodeStore;
  /** Unused by the server, which opens its own queues on its fail-fast connection. */
  checkQueue?: Queue;
  logger: Logger;
  now(): number;
  /** Where `/metrics` registers its families; a registry of its own when absent (never prom-client's global one). */
  metricsRegistry?: Registry;
}

/** What the API routes need: the server's fail-fast connection and the queues on it. */
export interface ApiDeps {
  config(): MeshConfig;
  redis: Redis;
  queues: MeshQueues;
  now(): number;
}
