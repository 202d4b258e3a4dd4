/** What the HTTP server is given by the composition root. */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { MeshConfig } from '../config/types.js';
import type { NodeStore } from '../mesh/store.js';
import type { Logger } from '../runtime/logger.js';

export interface ServerDeps {
  config(): MeshConfig;
  redis: Redis;
  store: NodeStore;
  checkQueue: Queue;
  logger: Logger;
  now(): number;
  /** Where `/metrics` registers its families; a registry of its own when absent (never prom-client's global one). */
  metricsRegistry?: Registry;
}
