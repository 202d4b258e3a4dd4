/** Glue from the `health-check` queue to a batch of scheduled checks or a single check. */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import {
  type BatchSummary,
  type CheckSummary,
  checkBatchPayload,
  type HealthCheckDeps,
  healthCheckJob,
  healthCheckPayload,
  runCheckBatch,
  runHealthCheck,
} from '../jobs/health-check.js';
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
  const worker = new Worker<unknown, CheckSummary | BatchSummary>(
    healthCheckJob.queue,
    async (job) => {
      const batch = checkBatchPayload.safeParse(job.data);
      if (batch.success) return runCheckBatch(batch.data, deps);
      const single = healthCheckPayload.safeParse(job.data);
      if (!single.success) throw new UnrecoverableError(`bad payload: ${single.error.message}`);
      return runHealthCheck(single.data, deps, job.timestamp + (job.delay ?? 0));
    },
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
