/** Glue from the `health-check` queue to a batch of scheduled checks or a single check. */
import { type ConnectionOptions, Worker } from 'bullmq';
import { type HealthCheckDeps, healthCheckJob, runCheckBatch, runHealthCheck } from '../jobs/health-check.js';
import { processorFor } from '../jobs/index.js';
import type { Logger } from '../runtime/logger.js';
import { logWorkerEvents } from '../runtime/worker-events.js';
import { IDLE_WAIT_S } from './idle-wait.js';
import { workerName } from './name.js';

export interface WorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  /** Jobs (batches or single checks) run at once. */
  concurrency: number;
  logger: Logger;
}

export function startHealthCheckWorker(settings: WorkerSettings, deps: HealthCheckDeps): Worker {
  const worker = new Worker(
    healthCheckJob.queue,
    processorFor(healthCheckJob.queue, {
      checkBatch: (batch) => runCheckBatch(batch, deps),
      check: (check, job) => runHealthCheck(check, deps, job.timestamp + (job.delay ?? 0)),
    }),
    {
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      name: workerName(),
      drainDelay: IDLE_WAIT_S,
      // A killed process's batch is taken over within ~15 s rather than BullMQ's default ~60 s.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 2,
    },
  );
  return logWorkerEvents(worker, settings.logger, 'health-check');
}
