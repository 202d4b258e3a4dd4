/**
 * Self-healing in a worker process: the `recovery` queue automatic recoveries are added to, the
 * worker that runs them, and the sweep's worker. What they decide is `recovery/policy.ts`'s.
 */
import { Queue } from 'bullmq';
import type { NodeConfig } from '../config/types.js';
import { RecoveryInterrupted, recoveryJob } from '../jobs/recovery.js';
import type { SweepDeps } from '../jobs/sweep.js';
import type { Transition } from '../mesh/state.js';
import { RECOVERY_LOCK_MS, type RecoveryPolicyDeps, recoveryPolicy } from '../recovery/policy.js';
import { logErrors } from '../runtime/error-log.js';
import type { Logger } from '../runtime/logger.js';
import { logWorkerEvents } from '../runtime/worker-events.js';
import { closeWorker } from './close.js';
import { startRecoveryWorker } from './recovery.js';
import { startSweepWorker } from './sweep.js';

export interface SelfHealingDeps extends Omit<RecoveryPolicyDeps, 'queue' | 'lockDurationMs'> {
  sweep: Omit<SweepDeps, 'config' | 'store' | 'requestRecovery' | 'now' | 'runningSince'>;
  logger: Logger;
  shutdownGraceMs: number;
  /** Recovery lock duration; a killed holder's job is picked up after about this long. */
  lockDurationMs?: number;
}

export interface SelfHealing {
  /** Starts the incident's automatic recovery when a node turned unhealthy. */
  onTransitions(node: NodeConfig, transitions: readonly Transition[]): Promise<void>;
  close(): Promise<void>;
}

export function startSelfHealing(deps: SelfHealingDeps): SelfHealing {
  const { redis, prefix, logger } = deps;
  const runningSince = deps.now();
  const lockDurationMs = deps.lockDurationMs ?? RECOVERY_LOCK_MS;
  const queue = logErrors(
    new Queue(recoveryJob.queue, { connection: redis, prefix }),
    logger,
    'recovery queue',
  );
  const policy = recoveryPolicy({ ...deps, queue, lockDurationMs });

  const stopping = new AbortController();
  const recoveryWorker = startRecoveryWorker(
    { connection: redis, prefix, lockDurationMs, stopping: stopping.signal },
    policy.run,
  );
  logWorkerEvents(recoveryWorker, logger, 'recovery', (job, error) =>
    logger.warn(
      { job: job?.name, attempt: job?.attemptsMade, err: error.message },
      `${job?.name}: ${error.message}`,
    ),
  );

  const sweepWorker = startSweepWorker(
    { connection: redis, prefix, logger },
    {
      ...deps.sweep,
      config: deps.config,
      store: deps.store,
      now: deps.now,
      runningSince,
      requestRecovery: policy.requestRecovery,
    },
  );

  return {
    onTransitions: policy.onTransitions,
    async close() {
      // Running actions stop now (their children killed) and their jobs go back to the queue.
      stopping.abort(new RecoveryInterrupted());
      await Promise.all([
        closeWorker(recoveryWorker, logger, deps.shutdownGraceMs),
        closeWorker(sweepWorker, logger, deps.shutdownGraceMs),
      ]);
      await queue.close();
    },
  };
}
