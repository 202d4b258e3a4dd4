/** Closing a worker on shutdown without waiting forever for long jobs. */
import type { Worker } from 'bullmq';
import type { Logger } from '../runtime/logger.js';

/**
 * Active jobs get `graceMs` to finish; past that the worker is closed at once and their locks
 * expire, so another process retries them (guarantee 2, docs/guarantees.md). The caller exits soon after.
 */
export async function closeWorker(worker: Worker, logger: Logger, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), grace]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn(
      { queue: worker.name },
      `${worker.name}: active jobs left to their locks; another process retries them`,
    );
    await worker.close(true);
  }
}
