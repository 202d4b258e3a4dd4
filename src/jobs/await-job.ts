/** Waiting for a job a person asked for (CLI, API), by polling its state: QueueEvents is best-effort. */
import { Job, type Queue } from 'bullmq';

export type JobOutcome<R> =
  | { kind: 'completed'; value: R }
  | { kind: 'failed'; reason: string }
  /** No worker took it within the pickup time. */
  | { kind: 'not_picked_up' }
  /** Taken, but not finished in time. */
  | { kind: 'timed_out' };

const POLL_MS = 25;

export async function awaitJob<R>(
  queue: Queue,
  jobId: string,
  limits: { pickupMs: number; finishMs: number },
  now: () => number = Date.now,
): Promise<JobOutcome<R>> {
  const started = now();
  for (;;) {
    const job = await Job.fromId<unknown, R>(queue, jobId);
    if (job?.finishedOn) {
      return job.failedReason
        ? { kind: 'failed', reason: job.failedReason }
        : { kind: 'completed', value: job.returnvalue };
    }
    const elapsed = now() - started;
    if (!job?.processedOn && elapsed > limits.pickupMs) {
      // Nobody took it: withdraw it so a worker starting later does not run work nobody awaits.
      await job?.remove().catch(() => undefined);
      return { kind: 'not_picked_up' };
    }
    if (elapsed > limits.pickupMs + limits.finishMs) return { kind: 'timed_out' };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
