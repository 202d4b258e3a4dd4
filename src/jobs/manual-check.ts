/** A check asked for by a person (`gpu-mesh check`, `POST /api/nodes/:id/check`): through the queue, awaited. */
import { Job, type Queue } from 'bullmq';
import type { ChecksConfig } from '../config/types.js';
import { type CheckSummary, type HealthCheckPayload, healthCheckJob } from './health-check.js';
import { safeJobId } from './queues.js';

const POLL_MS = 25;
/** Beyond the check's own deadline, how long a worker may take to pick the job up. */
const PICKUP_MS = 5000;

export function manualCheckWaitMs(checks: ChecksConfig): number {
  const deep = checks.deep.every > 0 ? checks.deep.timeout : 0;
  return checks.timeout + deep + PICKUP_MS;
}

/** Resolves with the check's summary, or null when no worker finished it within `waitMs`. */
export async function requestCheck(
  queue: Queue,
  nodeId: string,
  waitMs: number,
  now: () => number = Date.now,
): Promise<CheckSummary | null> {
  const data: HealthCheckPayload = { nodeId, reason: 'manual' };
  const job = await queue.add(healthCheckJob.jobName(nodeId), data, {
    ...healthCheckJob.options,
    jobId: safeJobId('manual', nodeId, now(), Math.random().toString(36).slice(2, 8)),
  });
  const deadline = now() + waitMs;
  while (now() < deadline) {
    const current = await Job.fromId<HealthCheckPayload, CheckSummary>(queue, job.id ?? '');
    if (current?.finishedOn) {
      if (current.failedReason) throw new Error(`check job failed: ${current.failedReason}`);
      return current.returnvalue;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // Nobody took it: withdraw it so a worker starting later does not run a check nobody awaits.
  await job.remove().catch(() => undefined);
  return null;
}
