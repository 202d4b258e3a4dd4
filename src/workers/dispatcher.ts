/**
 * The scheduler role's dispatcher: claims the nodes that are due and adds them to the
 * `health-check` queue as batch jobs. It stops claiming while the queue is backed up, so a mesh
 * past its capacity checks nodes late (and skips slots) instead of piling up work without end.
 *
 * Between claims it sleeps until the next node is due, so a quiet mesh costs Redis a claim per
 * slot and nothing in between (it used to look every 50 ms: ~120 commands/s for 3 nodes at 30 s).
 * A change this process makes to the schedule wakes it (`CheckSchedule.onChange`); one made by
 * another process is seen within `idleMs`, the longest sleep.
 */
import type { Queue } from 'bullmq';
import { type CheckBatchPayload, healthCheckJob } from '../jobs/health-check.js';
import type { CheckSchedule, DueCheck } from '../jobs/schedules.js';
import type { Logger } from '../runtime/logger.js';

export interface DispatcherOptions {
  schedule: CheckSchedule;
  queue: Queue;
  logger: Logger;
  now(): number;
  /** Nodes per batch job. */
  batchSize?: number;
  /** Batch jobs allowed to wait in the queue before claiming pauses. */
  maxBacklog?: number;
  /**
   * Sleep after a claim that left nodes due soon, and while the queue is backed up: nodes due
   * within it go out in one batch. Default 50 ms.
   */
  tickMs?: number;
  /** Longest sleep: how soon another process's change to the schedule is seen. Default 5 s. */
  idleMs?: number;
}

export interface Dispatcher {
  close(): Promise<void>;
}

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const batchSize = options.batchSize ?? 50;
  const maxBacklog = options.maxBacklog ?? 64;
  const tickMs = options.tickMs ?? 50;
  const idleMs = options.idleMs ?? 5000;
  let running = true;
  let wake: (() => void) | null = null;
  let failing = false;
  /** When the next node is due as last read; null with nothing scheduled, undefined: not known. */
  let nextDueAt: number | null | undefined;
  /** Changes to the schedule seen so far: one made while a read was on its way makes that read stale. */
  let changes = 0;
  /**
   * Batch jobs waiting, at most, as far as this process knows: the count last read plus the
   * batches added since (workers only take jobs out). The queue is asked again once that could
   * be half the allowed backlog, so a quiet mesh claims without asking it each time, and a
   * backed-up one (where the count read stays high) asks before every claim, as it always did.
   */
  let backlogAtMost = Number.POSITIVE_INFINITY;

  /** Claims what is due (when the queue has room); returns how long to sleep. */
  const dispatchOnce = async (): Promise<number> => {
    if (backlogAtMost >= maxBacklog / 2) backlogAtMost = await options.queue.getWaitingCount();
    if (backlogAtMost >= maxBacklog) return tickMs;
    const now = options.now();
    const claim = await options.schedule.claimDue(now, (maxBacklog - backlogAtMost) * batchSize);
    if (claim.checks.length > 0) {
      const jobs = batches(claim.checks, batchSize);
      await options.queue.addBulk(jobs);
      backlogAtMost += jobs.length;
    }
    nextDueAt = claim.nextDueAt;
    if (claim.checks.length >= batchSize) return 0;
    if (nextDueAt === null) return idleMs;
    const until = Math.max(0, nextDueAt - now);
    return Math.min(idleMs, claim.checks.length > 0 ? Math.max(tickMs, until) : until);
  };

  /** Reads when the next node is due; claims at once when that is now. */
  const look = async (): Promise<number> => {
    nextDueAt = await options.schedule.nextDueAt();
    if (nextDueAt === null) return idleMs;
    const until = nextDueAt - options.now();
    return until <= 0 ? dispatchOnce() : Math.min(idleMs, until);
  };

  const loop = async (): Promise<void> => {
    while (running) {
      let pause = tickMs;
      const seen = changes;
      try {
        const due = nextDueAt !== undefined && nextDueAt !== null && nextDueAt <= options.now();
        pause = await (due ? dispatchOnce() : look());
        if (changes !== seen) {
          nextDueAt = undefined;
          pause = 0;
        }
        failing = false;
      } catch (error) {
        nextDueAt = undefined;
        backlogAtMost = Number.POSITIVE_INFINITY;
        if (!failing)
          options.logger.error({ err: (error as Error).message }, `dispatcher: ${(error as Error).message}`);
        failing = true;
      }
      if (pause > 0 && running) await sleep(pause);
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  // Woken by this process's own changes: a node added is due within seconds, not at the next look.
  const stopListening = options.schedule.onChange(() => {
    changes += 1;
    nextDueAt = undefined;
    wake?.();
  });
  const done = loop();
  return {
    async close() {
      running = false;
      stopListening();
      wake?.();
      await done;
    },
  };
}

function batches(claimed: readonly DueCheck[], size: number) {
  const jobs = [];
  for (let start = 0; start < claimed.length; start += size) {
    const checks: CheckBatchPayload['checks'] = claimed.slice(start, start + size);
    jobs.push({
      name: healthCheckJob.batchJobName(checks),
      data: { checks } satisfies CheckBatchPayload,
      opts: healthCheckJob.options,
    });
  }
  return jobs;
}
