/** A check asked for by a person (`gpu-mesh check`, `POST /api/nodes/:id/check`): through the queue, awaited. */
import type { Queue } from 'bullmq';
import type { ChecksConfig } from '../config/types.js';
import { type CheckSummary, type HealthCheckPayload, healthCheckJob } from '../jobs/health-check.js';
import { safeJobId } from '../jobs/queues.js';
import { awaitJob } from '../runtime/await-job.js';

/** How long a worker may take to pick a job up before we say none is running. */
export const PICKUP_MS = 5000;

export function checkDurationMs(checks: ChecksConfig): number {
  const deep = checks.deep.every > 0 ? checks.deep.timeout : 0;
  return checks.timeout + deep + 1000;
}

export interface RequestCheckOptions {
  /** Aborted when whoever asked stops waiting: the wait ends, and a check not yet taken is withdrawn. */
  signal?: AbortSignal;
  now?: () => number;
}

/** Resolves with the check's summary, or null when no worker finished it in time (or `signal` aborted). */
export async function requestCheck(
  queue: Queue,
  nodeId: string,
  checks: ChecksConfig,
  { signal, now = Date.now }: RequestCheckOptions = {},
): Promise<CheckSummary | null> {
  const data: HealthCheckPayload = { nodeId, reason: 'manual' };
  const jobId = safeJobId('manual', nodeId, now(), Math.random().toString(36).slice(2, 8));
  await queue.add(healthCheckJob.jobName(nodeId), data, { ...healthCheckJob.options, jobId });
  const outcome = await awaitJob<CheckSummary>(
    queue,
    jobId,
    { pickupMs: PICKUP_MS, finishMs: checkDurationMs(checks) },
    { now, signal },
  );
  switch (outcome.kind) {
    case 'completed':
      return outcome.value;
    case 'failed':
      throw new Error(`check job failed: ${outcome.reason}`);
    case 'not_picked_up':
    case 'timed_out':
    case 'removed':
    case 'aborted':
      return null;
  }
}
