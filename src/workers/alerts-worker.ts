/** Glue from the `alerts` queue to `runAlertJob` (one alert) and `runEvaluation` (the scheduled rules). */
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import { type AlertJobDeps, type AlertOutcome, alertJob, alertPayload, runAlertJob } from '../jobs/alert.js';
import { type EvaluateDeps, evaluateJob, runEvaluation } from '../jobs/alert-evaluate.js';
import type { Logger } from '../runtime/logger.js';

export interface AlertsWorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
}

export function startAlertsWorker(
  settings: AlertsWorkerSettings,
  deps: { alert: AlertJobDeps; evaluation: EvaluateDeps },
): Worker {
  const { logger } = settings;
  const worker = new Worker<unknown, AlertOutcome | { raised: number }>(
    alertJob.queue,
    async (job) => {
      if (job.name === evaluateJob.name) return runEvaluation(deps.evaluation);
      const payload = alertPayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
      const outcome = await runAlertJob(payload.data.alert, `${job.id}@${job.timestamp}`, deps.alert);
      if (!outcome.delivered)
        logger.debug({ alert: payload.data.alert.id, reason: outcome.reason }, 'alert not sent');
      return outcome;
    },
    { connection: settings.connection, prefix: settings.prefix, concurrency: settings.concurrency },
  );
  worker.on('error', (error) => logger.error({ err: error.message }, 'alerts worker error'));
  worker.on('failed', (job, error) =>
    logger.error({ job: job?.name, err: error.message }, `alerts job failed: ${error.message}`),
  );
  return worker;
}
