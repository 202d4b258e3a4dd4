/** Glue from the `recovery` queue to `runRecovery`. */
import { type ConnectionOptions, WaitingError, Worker } from 'bullmq';
import { processorFor } from '../jobs/index.js';
import { type RecoveryDeps, RecoveryInterrupted, recoveryJob, runRecovery } from '../jobs/recovery.js';
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
  return new Worker(
    recoveryJob.queue,
    processorFor(recoveryJob.queue, {
      // `cancelled`: aborted by `worker.cancelJob(id)`.
      recovery: async (payload, job, token, cancelled) => {
        const run = {
          id: job.id ?? job.name,
          attemptsMade: job.attemptsMade,
          attempts: job.opts.attempts ?? 1,
          log: (line: string) => job.log(line),
          signal: cancelled ? AbortSignal.any([cancelled, stopping]) : stopping,
        };
        try {
          return await runRecovery(payload, run, deps);
        } catch (error) {
          if (!(error instanceof RecoveryInterrupted) || token === undefined) throw error;
          await job.moveToWait(token);
          throw new WaitingError();
        }
      },
    }),
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
