/**
 * Alerting in a worker process: the `alerts` worker (routing, history, log, events, the
 * scheduled evaluation and the heartbeat), the `notify` worker (deliveries, which may wait on a
 * channel until its deadline) and the emitter the health-check job hands its transitions to.
 * `syncAlertSchedules` is the scheduler role's part.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AlertingState } from '../alerts/alerting-state.js';
import { ChannelSet } from '../alerts/channel-set.js';
import type { ChannelDeps, ChannelName } from '../alerts/channels/index.js';
import { createEmitter, type Emit } from '../alerts/emit.js';
import { AlertHistory } from '../alerts/history.js';
import {
  type RecoveryEventLike,
  recoveryEventAlert,
  type StalledLike,
  stalledAlert,
} from '../alerts/recovery-alerts.js';
import { silenceReader } from '../alerts/silence.js';
import { describeTransition, logTransition, transitionSeverity } from '../alerts/transition-log.js';
import { ALERT_SEVERITY, type Alert } from '../alerts/types.js';
import type { MeshConfig } from '../config/types.js';
import { alertJob } from '../jobs/alert.js';
import { evaluateJob, evaluationRequester, requestEvaluation } from '../jobs/alert-evaluate.js';
import { type CheckClock, heartbeatJob } from '../jobs/heartbeat.js';
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetry, notifyJob } from '../jobs/notify.js';
import type { NodeStore } from '../mesh/store.js';
import { countAlertDelivered } from '../metrics/alert-counters.js';
import { logErrors } from '../runtime/error-log.js';
import type { Logger } from '../runtime/logger.js';
import { startAlertsWorker } from './alerts.js';
import { closeWorker } from './close.js';
import { startNotifyWorker } from './notify.js';

/** Settings of the workers themselves, not of mesh.yaml: tests shorten them. */
export interface AlertingTuning {
  /** How deliveries retry. Default 5 tries over about 10 minutes (40 s, 80 s, 160 s, 320 s). */
  delivery?: Partial<DeliveryRetry>;
  /** `alerts` jobs (and evaluations) run at once by this process. Default 8. */
  alertConcurrency?: number;
  /**
   * Deliveries run at once by this process. Default 16, shared equally among the configured
   * channels (16 / 3 = 5 each for e-mail, Slack and webhook) so one channel cannot hold them all.
   */
  notifyConcurrency?: number;
  /** Channel transport settings (an SMTP server's certificate); deadlines are `alerts.channels.*.timeout`. */
  channels?: Omit<ChannelDeps, 'logger'>;
  /** How long shutdown waits for deliveries in flight. Default 8 s. */
  closeGraceMs?: number;
}

export interface AlertingOptions {
  /** The shared service connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  prefix: string;
  config(): MeshConfig;
  store: NodeStore;
  logger: Logger;
  now?: () => number;
  tuning?: AlertingTuning;
}

export interface Alerting {
  /**
   * The health-check job's `onChange`: alerts for one winning state change, and its log lines —
   * each transition is written once, by its alert or, when it raises none, as a state-change line.
   */
  emit: Emit;
  /** Raises ready-made alerts: one `alerts` job per alert id. */
  raise(alerts: readonly Alert[], notBefore?: number): Promise<void>;
  /** A recovery job's event (`recovery_started`, `recovery_failed`, `restart_loop`) as an alert. */
  recoveryEvent(event: RecoveryEventLike): Promise<void>;
  /** The keepalive sweep found a node whose checks stopped: `monitor_stalled`. */
  monitorStalled(stalled: StalledLike): Promise<void>;
  /** Asks for an evaluation of the time-based rules at the next step (`evaluationRequester`). */
  evaluateSoon(): Promise<void>;
  close(): Promise<void>;
}

/** An incident's routing record outlives any incident worth remembering. */
const INCIDENT_TTL_MS = 30 * 24 * 3600 * 1000;
const ENQUEUED_MEMO_MS = 10 * 60 * 1000;

export function startAlerting(options: AlertingOptions): Alerting {
  const { connection, prefix, logger, store, tuning = {} } = options;
  const now = options.now ?? Date.now;
  const retry: DeliveryRetry = { ...DEFAULT_DELIVERY_RETRY, ...tuning.delivery };
  const state = new AlertingState(connection, prefix);
  const history = new AlertHistory(connection, prefix, { now });
  const silences = silenceReader(connection, prefix);
  const channels = new ChannelSet(options.config, { logger, ...tuning.channels });
  const alertQueue = logErrors(new Queue(alertJob.queue, { connection, prefix }), logger, 'alerts queue');
  const notifyQueue = logErrors(new Queue(notifyJob.queue, { connection, prefix }), logger, 'notify queue');
  const raise = enqueuer(alertQueue, now);
  const evaluateAt = evaluationRequester(alertQueue, options.config, now);
  const seenTtlMs = () => Math.max(INCIDENT_TTL_MS, 2 * options.config().alerts.repeatEvery);

  const alertWorker = startAlertsWorker(
    { connection, prefix, concurrency: tuning.alertConcurrency ?? 8, logger },
    {
      evaluation: {
        config: options.config,
        store,
        silences,
        state,
        now,
        raise,
        evaluateAt,
        onFlappingEnded: (nodeId) => logger.info({ node: nodeId }, `${nodeId} stopped flapping`),
      },
      alert: {
        readings: (alert) => state.readings(alert.nodeId, alert.incidentId),
        claimDelivery: (id, token) => state.claimDelivery(id, token, seenTtlMs()),
        openIncident: (id, routed) => state.openIncident(id, routed, seenTtlMs()),
        closeIncident: (id) => state.closeIncident(id, seenTtlMs()),
        channels: () => channels.current(),
        record: (alert) => history.record(alert),
        log: async (alert) => {
          await channels.log(alert);
          await countAlertDelivered(connection, prefix, alert, 'log');
        },
        publish: (alert) => state.publish({ type: 'alert', alert }),
        notify: (alert, routed) => enqueueDeliveries(notifyQueue, alert, routed, retry),
      },
      heartbeat: { config: options.config, now, clocks: (current) => checkClocks(store, current) },
    },
  );

  const notifyWorker = startNotifyWorker({
    connection,
    prefix,
    concurrency: tuning.notifyConcurrency ?? 16,
    config: options.config,
    store,
    channels,
    logger,
    now,
  });

  const emitAlerts = createEmitter({
    config: options.config,
    state,
    isSilenced: (nodeId) => silences.isSilenced(nodeId),
    now,
    raise,
    logTransition: (node, transition, covered) => {
      if (!covered) return logTransition(logger, node, transition);
      const fields = {
        node: node.id,
        from: transition.from,
        to: transition.to,
        incidentId: transition.incidentId,
      };
      logger.debug(
        { severity: transitionSeverity(transition), ...fields },
        describeTransition(node, transition),
      );
    },
  });

  // A status change is what the time-based rules read: evaluate them at the next step.
  const emit: Emit = async (node, transitions, signals) => {
    await emitAlerts(node, transitions, signals);
    if (transitions.length > 0) await evaluateAt(now());
  };

  return {
    emit,
    raise,
    recoveryEvent: async (event) => {
      // Its alert is its log line (written once the alert is processed); this one, at once, is for debugging.
      const severity = ALERT_SEVERITY[event.kind];
      logger.debug(
        { severity, node: event.node.id, kind: event.kind, incidentId: event.incidentId },
        event.message,
      );
      if (event.incidentId !== null && event.kind !== 'restart_loop') {
        await state.noteTried(event.incidentId, event.message, seenTtlMs());
      }
      await raise([recoveryEventAlert(event, now())]);
    },
    monitorStalled: (stalled) => raise([stalledAlert(stalled)]),
    evaluateSoon: () => evaluateAt(now()),
    close: async () => {
      const grace = tuning.closeGraceMs ?? 8000;
      await Promise.all([closeWorker(alertWorker, logger, grace), notifyWorker.close(grace)]);
      await Promise.all([alertQueue.close(), notifyQueue.close()]);
    },
  };
}

/** One `notify` job per channel, each with its own retries. */
async function enqueueDeliveries(
  queue: Queue,
  alert: Alert,
  channels: readonly ChannelName[],
  retry: DeliveryRetry,
): Promise<void> {
  if (channels.length === 0) return;
  await queue.addBulk(
    channels.map((channel) => ({
      name: notifyJob.jobName(channel, alert),
      data: { alert, channel },
      opts: { ...notifyJob.options(retry), jobId: notifyJob.jobId(channel, alert) },
    })),
  );
}

/**
 * Adds alerts to the `alerts` queue under their job ids. The evaluation raises the same repeat
 * every run until the next one is due; this process remembers what it added for a while, so
 * that is one Redis call per alert rather than one per run (BullMQ would ignore the copies anyway).
 */
function enqueuer(queue: Queue, now: () => number): Alerting['raise'] {
  const added = new Map<string, number>();
  return async (alerts, notBefore) => {
    const time = now();
    if (added.size > 10_000) for (const [id, until] of added) if (until <= time) added.delete(id);
    const fresh = alerts.filter((alert) => (added.get(alert.id) ?? 0) <= time);
    if (fresh.length === 0) return;
    const delay = notBefore === undefined ? 0 : Math.max(0, notBefore - time);
    await queue.addBulk(
      fresh.map((alert) => ({
        name: alertJob.jobName(alert),
        data: { alert },
        opts: { ...alertJob.options, jobId: alertJob.jobId(alert), delay },
      })),
    );
    for (const alert of fresh) added.set(alert.id, time + ENQUEUED_MEMO_MS);
  };
}

/** The enabled nodes' newest checks, for the heartbeat. */
async function checkClocks(store: NodeStore, config: MeshConfig): Promise<CheckClock[]> {
  const nodes = config.nodes.filter((node) => node.enabled);
  const states = await store.readMany(nodes.map((node) => node.id));
  return nodes.map((node, index) => ({
    lastCheckAt: states[index]?.state.lastCheckAt ?? null,
    interval: node.checks.interval,
  }));
}

/**
 * The scheduler role's part: an evaluation now (the config may have changed what is due), and
 * the heartbeat every
 * `heartbeat.interval` while `heartbeat.url` is set (removed when it is not). Idempotent.
 */
export async function syncAlertSchedules(
  connection: Redis,
  prefix: string,
  config: MeshConfig,
  now: () => number = Date.now,
): Promise<void> {
  const alertQueue = new Queue(evaluateJob.queue, { connection, prefix });
  const notifyQueue = new Queue(notifyJob.queue, { connection, prefix });
  // Short-lived: their failures reach the caller through the calls below; the connection logs its own.
  for (const queue of [alertQueue, notifyQueue]) queue.on('error', () => {});
  try {
    // Earlier versions ran the evaluation on a Job Scheduler every quarter interval.
    await alertQueue.removeJobScheduler(evaluateJob.schedulerId);
    await requestEvaluation(alertQueue, config, now(), now());
    if (config.heartbeat.url === '') {
      await alertQueue.removeJobScheduler(heartbeatJob.schedulerId);
    } else {
      await alertQueue.upsertJobScheduler(
        heartbeatJob.schedulerId,
        { every: config.heartbeat.interval },
        { name: heartbeatJob.name, data: {}, opts: heartbeatJob.options },
      );
    }
    // Earlier versions scheduled the heartbeat on `notify`, where hung deliveries starved it.
    await notifyQueue.removeJobScheduler(heartbeatJob.schedulerId);
  } finally {
    await Promise.all([alertQueue.close(), notifyQueue.close()]);
  }
}
