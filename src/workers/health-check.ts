/** Glue from the `health-check` queue to `runHealthCheck`. */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import {
  type CheckSummary,
  type HealthCheckDeps,
  healthCheckJob,
  healthCheckPayload,
  runHealthCheck,
} from '../jobs/health-check.js';

export interface WorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
}

export function startHealthCheckWorker(settings: WorkerSettings, deps: HealthCheckDeps): Worker {
  return new Worker<unknown, CheckSummary>(
    healthCheckJob.queue,
    async (job) => {
      const payload = healthCheckPayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
      return runHealthCheck(payload.data, deps, job.timestamp + (job.delay ?? 0));
    },
    { connection: settings.connection, prefix: settings.prefix, concurrency: settings.concurrency },
  );
}
