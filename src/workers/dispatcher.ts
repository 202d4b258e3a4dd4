/**
 * The scheduler role's dispatcher: every tick, claims the nodes that are due and adds them to the
 * `health-check` queue as batch jobs. It stops claiming while the queue is backed up, so a mesh
 * past its capacity checks nodes late (and skips slots) instead of piling up work without end.
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
  /** Longest sleep between claims. */
  tickMs?: number;
}

export interface Dispatcher {
  close(): Promise<void>;
}

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const batchSize = options.batchSize ?? 50;
  const maxBacklog = options.maxBacklog ?? 64;
  const tickMs = options.tickMs ?? 50;
  let running = true;
  let wake: (() => void) | null = null;
  let failing = false;

  const dispatchOnce = async (): Promise<number> => {
    const backlog = await options.queue.getWaitingCount();
    if (backlog >= maxBacklog) return 0;
    const claimed = await options.schedule.claim(options.now(), (maxBacklog - backlog) * batchSize);
    if (claimed.length > 0) await options.queue.addBulk(batches(claimed, batchSize));
    return claimed.length;
  };

  const sleepMs = async (claimed: number): Promise<number> => {
    if (claimed > 0) return claimed >= batchSize ? 0 : tickMs;
    const next = await options.schedule.nextDueAt();
    return next === null ? tickMs : Math.max(0, Math.min(tickMs, next - options.now()));
  };

  const loop = async (): Promise<void> => {
    while (running) {
      let pause = tickMs;
      try {
        pause = await sleepMs(await dispatchOnce());
        failing = false;
      } catch (error) {
        if (!failing)
          options.logger.error({ err: (error as Error).message }, `dispatcher: ${(error as Error).message}`);
        failing = true;
      }
      if (pause > 0 && running)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  };
  const done = loop();
  return {
    async close() {
      running = false;
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
