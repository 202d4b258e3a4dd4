/**
 * Glue from the `notify` queue to `runNotify`. A delivery its channel has no place for is moved
 * back to delayed (`moveToDelayed` + `DelayedError`: no try used, the worker's place freed).
 */
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelSet } from '../alerts/channel-set.js';
import type { AlertContext } from '../alerts/channels/index.js';
import { incidentStart } from '../alerts/incident-id.js';
import type { Alert } from '../alerts/types.js';
import type { MeshConfig } from '../config/types.js';
import { processorFor } from '../jobs/index.js';
import { DeliverySlots, notifyJob, placesPerChannel, runNotify } from '../jobs/notify.js';
import type { NodeStore } from '../mesh/store.js';
import { countAlertDelivered, countNotifyFailure } from '../metrics/alert-counters.js';
import type { Logger } from '../runtime/logger.js';
import { logWorkerEvents } from '../runtime/worker-events.js';
import { closeWorker } from './close.js';
import { IDLE_WAIT_S } from './idle-wait.js';

export interface NotifyWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  config(): MeshConfig;
  store: NodeStore;
  channels: ChannelSet;
  logger: Logger;
  now(): number;
}

export interface NotifyWorker {
  worker: Worker;
  /** Lets deliveries in flight finish for `graceMs`, then aborts them. */
  close(graceMs: number): Promise<void>;
}

export function startNotifyWorker(options: NotifyWorkerOptions): NotifyWorker {
  const { connection, prefix, config, store, channels, logger } = options;
  const stopping = new AbortController();
  const deliveringChannels = () => channels.current().filter((channel) => channel.name !== 'log').length;
  const slots = new DeliverySlots(
    () => placesPerChannel(options.concurrency, deliveringChannels()),
    options.now,
  );
  const worker = new Worker(
    notifyJob.queue,
    processorFor(notifyJob.queue, {
      retiredHeartbeat: async () => ({ skipped: 'the heartbeat runs on the alerts queue' }),
      notify: async (payload, job, token, signal) => {
        const abort = signal ? AbortSignal.any([signal, stopping.signal]) : stopping.signal;
        const outcome = await runNotify(
          payload,
          {
            channel: (name) => channels.find(name),
            context: (alert) => alertContext(alert, config(), store),
            slots,
          },
          abort,
        );
        if ('postponed' in outcome) {
          logger.debug(
            { job: job.id, channel: outcome.postponed, until: outcome.until },
            `${job.name}: postponed, the channel's places in this process are taken`,
          );
          await job.moveToDelayed(outcome.until, token);
          throw new DelayedError();
        }
        await countAlertDelivered(connection, prefix, payload.alert, payload.channel);
        logger.debug({ job: job.id, channel: payload.channel }, `${job.name}: delivered`);
        return outcome;
      },
    }),
    { connection, prefix, concurrency: options.concurrency, drainDelay: IDLE_WAIT_S },
  );
  logWorkerEvents(worker, logger, 'notify', (job, error) => {
    if (!job) return;
    const channel = (job.data as { channel?: string }).channel ?? 'unknown';
    const tries = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= tries || error instanceof UnrecoverableError;
    const fields = { job: job.id, channel, attempt: job.attemptsMade, attempts: tries, err: error.message };
    if (final)
      logger.error(
        fields,
        `${job.name}: failed for good after ${job.attemptsMade} tries, retry it from Bull Board: ${error.message}`,
      );
    else
      logger.warn(
        fields,
        `${job.name}: try ${job.attemptsMade} of ${tries} failed, retrying: ${error.message}`,
      );
    countNotifyFailure(connection, prefix, channel).catch(() => undefined);
  });
  return {
    worker,
    close: async (graceMs) => {
      const timer = setTimeout(() => stopping.abort(new Error('shutting down')), graceMs);
      try {
        await closeWorker(worker, logger, graceMs + 1000);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The node and links an alert is delivered with, read at delivery time. */
async function alertContext(alert: Alert, config: MeshConfig, store: NodeStore): Promise<AlertContext> {
  const node =
    alert.nodeId === null ? undefined : config.nodes.find((candidate) => candidate.id === alert.nodeId);
  const state = node ? (await store.read(node.id)).state : null;
  const started = incidentStart(alert.incidentId);
  const base = serverUrl(config.server);
  return {
    nodeName: node?.name ?? null,
    nodeStatus: state?.status ?? null,
    lastError: state?.lastError ?? null,
    incidentStartedAt: started === null ? null : new Date(started).toISOString(),
    dashboardUrl: `${base}/`,
    boardUrl: `${base}/board`,
  };
}

/** Where a person reaches the dashboard: the server's address, a wildcard one read as localhost. */
function serverUrl(server: MeshConfig['server']): string {
  const wildcard = server.host === '0.0.0.0' || server.host === '::';
  const host = wildcard ? 'localhost' : server.host.includes(':') ? `[${server.host}]` : server.host;
  return `http://${host}:${server.port}`;
}
