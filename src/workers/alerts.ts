/**
 * Glue from the `alerts` queue to `runAlertJob` (one alert), `runEvaluation` (the scheduled rules)
 * and `runHeartbeat` (the dead man's switch): short jobs, none of which waits on a channel.
 */
import { type ConnectionOptions, Worker } from 'bullmq';
import { type AlertJobDeps, alertJob, runAlertJob } from '../jobs/alert.js';
import { type EvaluateDeps, runEvaluation } from '../jobs/alert-evaluate.js';
import { type HeartbeatDeps, heartbeatJob, runHeartbeat } from '../jobs/heartbeat.js';
import { processorFor } from '../jobs/index.js';
import type { Logger } from '../runtime/logger.js';
import { jobFailedLine, logWorkerEvents } from '../runtime/worker-events.js';
import { IDLE_WAIT_S } from './idle-wait.js';

export interface AlertsWorkerSettings {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
}

export function startAlertsWorker(
  settings: AlertsWorkerSettings,
  deps: { alert: AlertJobDeps; evaluation: EvaluateDeps; heartbeat: HeartbeatDeps },
): Worker {
  const { logger } = settings;
  const never = new AbortController().signal;
  const worker = new Worker(
    alertJob.queue,
    processorFor(alertJob.queue, {
      evaluate: () => runEvaluation(deps.evaluation),
      heartbeat: (_payload, _job, _token, signal) => runHeartbeat(deps.heartbeat, signal ?? never),
      alert: async ({ alert }, job) => {
        const outcome = await runAlertJob(alert, `${job.id}@${job.timestamp}`, deps.alert);
        if (!outcome.delivered) logger.debug({ alert: alert.id, reason: outcome.reason }, 'alert not sent');
        return outcome;
      },
    }),
    {
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      drainDelay: IDLE_WAIT_S,
    },
  );
  const alertFailed = jobFailedLine(logger, () => 'alerts');
  // A missed heartbeat is the outside service's to notice: a warning here.
  return logWorkerEvents(worker, logger, 'alerts', (job, error) => {
    if (job?.name === heartbeatJob.name) logger.warn({ err: error.message }, error.message);
    else alertFailed(job, error);
  });
}
