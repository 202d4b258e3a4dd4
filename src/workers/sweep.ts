/** Glue from the `keepalive` queue to the sweep (`runSweep`): one sweep at a time per process. */
import { type ConnectionOptions, Worker } from 'bullmq';
import { runSweep, type SweepDeps, sweepJob } from '../jobs/sweep.js';
import { IDLE_WAIT_S } from './idle-wait.js';

export function startSweepWorker(
  settings: { connection: ConnectionOptions; prefix: string },
  deps: SweepDeps,
): Worker {
  return new Worker(sweepJob.queue, async () => runSweep(deps), {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: 1,
    drainDelay: IDLE_WAIT_S,
  });
}
