/** A recovery asked for by a person (`gpu-mesh recover`, `POST /api/nodes/:id/recover`). */
import type { Queue } from 'bullmq';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import {
  manualRecoveryOptions,
  type RecoveryPayload,
  type RecoveryResult,
  recoveryJob,
} from '../jobs/recovery.js';
import { awaitJob, type JobOutcome } from '../runtime/await-job.js';
import { PICKUP_MS } from './request-check.js';

export async function enqueueManualRecovery(queue: Queue, node: NodeConfig, now: number): Promise<string> {
  const payload: RecoveryPayload = { nodeId: node.id, trigger: 'manual', incidentId: null };
  const options = manualRecoveryOptions(node.id, now);
  await queue.add(recoveryJob.jobName(node.id), payload, options);
  return options.jobId;
}

/** The longest a manual recovery can take: its action, then verification. */
export function recoveryDurationMs(node: NodeConfig, settings: MeshConfig['recovery']): number {
  const action = node.recovery.kind === 'none' ? 0 : 'timeout' in node.recovery ? node.recovery.timeout : 0;
  return action + settings.verifyTimeout + 30_000;
}

/**
 * How a manual recovery ends for whoever waits: a removed job never answers; `aborted` only when
 * the waiter's `signal` aborted.
 */
export type ManualRecoveryOutcome = Exclude<JobOutcome<RecoveryResult>, { kind: 'removed' }>;

/**
 * Waits for a manual recovery. `signal` ends the wait (the person stopped waiting: an HTTP client
 * hung up) without withdrawing the recovery: they asked for it, and it runs all the same.
 */
export async function awaitRecovery(
  queue: Queue,
  jobId: string,
  node: NodeConfig,
  settings: MeshConfig['recovery'],
  signal?: AbortSignal,
): Promise<ManualRecoveryOutcome> {
  const outcome = await awaitJob<RecoveryResult>(
    queue,
    jobId,
    { pickupMs: PICKUP_MS, finishMs: recoveryDurationMs(node, settings) },
    { signal, withdrawOnAbort: false },
  );
  return outcome.kind === 'removed' ? { kind: 'not_picked_up' } : outcome;
}
