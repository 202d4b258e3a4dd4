/** Glue from the `recovery` queue to `runRecovery`. */
import { type ConnectionOptions, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import {
  type RecoveryDeps,
  RecoveryInterrupted,
  type RecoveryResult,
  recoveryJob,
  recoveryPayload,
  runRecovery,
} from '../jobs/recovery.js';
import { IDLE_WAIT_S } from './idle-wait.js';
import { workerName } from './name.js';

export interface RecoveryWorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  /** How soon a job held by a killed process is picked up by another (lock expiry + stalled check). */
  lockDurationMs: number;
  /**
   * Aborted (with a `RecoveryInterrupted`) when the process stops: a running action is stopped at
   * once and its job goes back to the queue, so closing never waits on a hung restart.
   */
  stopping?: AbortSignal;
}

export function startRecoveryWorker(settings: RecoveryWorkerSettings, deps: RecoveryDeps): Worker {
  const lockDuration = settings.lockDurationMs;
  const stopping = settings.stopping ?? new AbortController().signal;
  return new Worker<unknown, RecoveryResult>(
    recoveryJob.queue,
    // Three parameters: BullMQ then hands over a signal that `worker.cancelJob(id)` aborts.
    async (job, token, cancelled) => {
      const payload = recoveryPayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
      const run = {
        id: job.id ?? job.name,
        attemptsMade: job.attemptsMade,
        attempts: job.opts.attempts ?? 1,
        log: (line: string) => job.log(line),
        signal: cancelled ? AbortSignal.any([cancelled, stopping]) : stopping,
      };
      try {
        return await runRecovery(payload.data, run, deps);
      } catch (error) {
        if (!(error instanceof RecoveryInterrupted) || token === undefined) throw error;
        await job.moveToWait(token);
        throw new WaitingError();
      }
    },
    {
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: 16,
      name: workerName(),
      drainDelay: IDLE_WAIT_S,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      // A stall is a crash, not a failed attempt; allow a few before giving up on the job.
      maxStalledCount: 3,
    },
  );
}
