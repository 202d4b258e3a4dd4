/** Glue from the `keepalive` queue to the sweep (`runSweep`): one sweep at a time per process. */
import { type ConnectionOptions, Worker } from 'bullmq';
import { processorFor } from '../jobs/index.js';
import { runSweep, type SweepDeps, sweepJob } from '../jobs/sweep.js';
import type { Logger } from '../runtime/logger.js';
import { logWorkerEvents } from '../runtime/worker-events.js';
import { IDLE_WAIT_S } from './idle-wait.js';

export function startSweepWorker(
  settings: { connection: ConnectionOptions; prefix: string; logger: Logger },
  deps: SweepDeps,
): Worker {
  const { logger } = settings;
  const worker = new Worker(sweepJob.queue, processorFor(sweepJob.queue, { sweep: () => runSweep(deps) }), {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: 1,
    drainDelay: IDLE_WAIT_S,
  });
  return logWorkerEvents(worker, logger, 'keepalive', (_job, error) =>
    logger.error({ err: error.message }, `keepalive sweep failed: ${error.message}`),
  );
}
