/**
 * The listeners every BullMQ Worker gets, attached in one place: its errors, one rate-limited line
 * per component (`logErrors`), and a line per failed job. How a failure reads is the worker's to
 * say (a delivery's retry is a WARNING, a health-check's failure an ERROR); most use the usual
 * line, `jobFailedLine`.
 */
import type { Job, Worker } from 'bullmq';
import { logErrors } from './error-log.js';
import type { Logger } from './logger.js';

export type FailedJobLog = (job: Job | undefined, error: Error) => void;

/** ERROR `<label> job failed: <message>`, with the job's name. */
export function jobFailedLine(logger: Logger, label: (job: Job | undefined) => string): FailedJobLog {
  return (job, error) =>
    logger.error({ job: job?.name, err: error.message }, `${label(job)} job failed: ${error.message}`);
}

/**
 * Logs `worker`'s errors as `<component> worker: …` and each failed job with `failed` (by default
 * `<component> job failed: …`); returns `worker`.
 */
export function logWorkerEvents<W extends Worker>(
  worker: W,
  logger: Logger,
  component: string,
  failed: FailedJobLog = jobFailedLine(logger, () => component),
): W {
  logErrors(worker, logger, `${component} worker`);
  worker.on('failed', failed);
  return worker;
}
