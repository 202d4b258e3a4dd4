/**
 * Waiting for one job somebody awaits (a person through the CLI or API; the agent action for its
 * restart on the GPU host), by polling its state: QueueEvents is best-effort.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, type Queue } from 'bullmq';

export type JobOutcome<R> =
  | { kind: 'completed'; value: R }
  | { kind: 'failed'; reason: string }
  /** No worker took it within the pickup time; it was withdrawn. */
  | { kind: 'not_picked_up' }
  /** Taken, but not finished in time. */
  | { kind: 'timed_out' }
  /** It disappeared before it finished (removed by hand, or withdrawn by someone else). */
  | { kind: 'removed' }
  /** `signal` aborted first; a job not yet taken was withdrawn (unless `withdrawOnAbort` is false). */
  | { kind: 'aborted' };

export interface AwaitJobOptions {
  /**
   * Stops the wait early (outcome `aborted`), within one poll: whoever waits is gone (an HTTP
   * client hung up), so nothing keeps reading Redis for them. A job a worker already runs is left
   * to finish.
   */
  signal?: AbortSignal;
  /** Whether an aborted wait withdraws a job no worker has taken yet. Default true. */
  withdrawOnAbort?: boolean;
  /** How often the job is read. Default 25 ms. */
  pollMs?: number;
  /** When the wait began, if before this call (e.g. when the job was requested). Default: `now()`. */
  since?: number;
  now?: () => number;
}

const DEFAULT_POLL_MS = 25;

/**
 * Polls `jobId` until it finishes, or until no worker took it within `pickupMs`, or until it is not
 * finished `pickupMs + finishMs` after the wait began. A job nobody took is withdrawn, so that a
 * worker starting later does not run work nobody awaits any more.
 */
export async function awaitJob<R>(
  queue: Queue,
  jobId: string,
  limits: { pickupMs: number; finishMs: number },
  options: AwaitJobOptions = {},
): Promise<JobOutcome<R>> {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const { signal } = options;
  const started = options.since ?? now();
  for (;;) {
    const job = await Job.fromId<unknown, R>(queue, jobId);
    if (!job) return { kind: 'removed' };
    if (job.finishedOn) {
      return job.failedReason
        ? { kind: 'failed', reason: job.failedReason }
        : { kind: 'completed', value: job.returnvalue };
    }
    if (signal?.aborted) {
      // Withdrawn unless a worker already runs it (a locked job is not removed).
      if (options.withdrawOnAbort !== false) await job.remove().catch(() => undefined);
      return { kind: 'aborted' };
    }
    const limitMs = job.processedOn ? limits.pickupMs + limits.finishMs : limits.pickupMs;
    const leftMs = started + limitMs - now();
    if (leftMs <= 0) {
      if (job.processedOn) return { kind: 'timed_out' };
      await job.remove().catch(() => undefined);
      return { kind: 'not_picked_up' };
    }
    // Aborting ends the pause early; the next round sees the signal.
    await sleep(Math.min(pollMs, leftMs), undefined, { signal }).catch(() => undefined);
  }
}
