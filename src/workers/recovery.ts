/** Glue from the `recovery` queue to `runRecovery`. */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import {
  type RecoveryDeps,
  type RecoveryResult,
  recoveryJob,
  recoveryPayload,
  runRecovery,
} from '../jobs/recovery.js';
import { workerName } from './name.js';

export interface RecoveryWorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  /** How soon a job held by a killed process is picked up by another (lock expiry + stalled check). */
  lockDurationMs: number;
}

export function startRecoveryWorker(settings: RecoveryWorkerSettings, deps: RecoveryDeps): Worker {
  const lockDuration = settings.lockDurationMs;
  return new Worker<unknown, RecoveryResult>(
    recoveryJob.queue,
    async (job) => {
      const payload = recoveryPayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
      const run = {
        id: job.id ?? job.name,
        attemptsMade: job.attemptsMade,
        attempts: job.opts.attempts ?? 1,
        log: (line: string) => job.log(line),
      };
      return runRecovery(payload.data, run, deps);
    },
    {
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: 16,
      name: workerName(),
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      // A stall is a crash, not a failed attempt; allow a few before giving up on the job.
      maxStalledCount: 3,
    },
  );
}
