/** Closing a worker on shutdown without waiting forever for long jobs or a frozen Redis. */
import type { Worker } from 'bullmq';
import type { Logger } from '../runtime/logger.js';
import { settlesWithin } from '../runtime/shutdown.js';

/**
 * Active jobs get `graceMs` to finish. Past that, this gives up with an error saying so (the
 * shutdown then counts as cut short) and leaves the jobs to their locks: the process exits soon
 * after, and another process retries them (guarantee 2, docs/guarantees.md). `worker.close(true)` cannot help:
 * once a close has begun, BullMQ hands a second one the first one's promise, which waits for the
 * jobs — and, with Redis frozen, for a QUIT that is never answered.
 */
export async function closeWorker(worker: Worker, logger: Logger, graceMs: number): Promise<void> {
  const started = Date.now();
  const closing = worker.close();
  if (await settlesWithin(closing, graceMs)) {
    await closing;
    logger.debug({ queue: worker.name, ms: Date.now() - started }, `${worker.name} worker closed`);
    return;
  }
  throw new Error(
    `${worker.name} worker still closing after ${graceMs} ms (jobs running, or Redis not answering): its active jobs are left to their locks, another process retries them`,
  );
}
