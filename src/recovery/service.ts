/**
 * Self-healing as the worker role runs it: the recovery worker, automatic recoveries started by
 * transitions to unhealthy, and the keepalive sweep's worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AlertingState } from '../alerts/alerting-state.js';
import { foldedInto } from '../alerts/mass-failure.js';
import { Secrets } from '../config/secrets.js';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { checkNode, type HealthCheckDeps } from '../jobs/health-check.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { type RecoveryDeps, type RecoveryEvent, RecoveryInterrupted } from '../jobs/recovery.js';
import { runSweep, type SweepDeps, sweepJob } from '../jobs/sweep.js';
import { readSilence } from '../mesh/silence.js';
import type { Transition } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import { logErrors } from '../runtime/error-log.js';
import type { Logger } from '../runtime/logger.js';
import { closeWorker } from '../workers/close.js';
import { IDLE_WAIT_S } from '../workers/idle-wait.js';
import { startRecoveryWorker } from '../workers/recovery.js';
import { actionFor } from './actions/index.js';
import { RecoveryBookkeeping } from './bookkeeping.js';
import { takeLock, waitForLock } from './lock.js';
import { requestAutomaticRecovery, type TriggerDeps } from './trigger.js';

export interface SelfHealingDeps {
  redis: Redis;
  prefix: string;
  config(): MeshConfig;
  findNode(nodeId: string): NodeConfig | undefined;
  store: NodeStore;
  checkDeps: HealthCheckDeps;
  unloadModels(node: NodeConfig, models: string[]): Promise<void>;
  emit(event: RecoveryEvent): Promise<void>;
  sweep: Omit<SweepDeps, 'config' | 'store' | 'requestRecovery' | 'now' | 'runningSince'>;
  logger: Logger;
  now(): number;
  shutdownGraceMs: number;
  /** Recovery lock duration; a killed holder's job is picked up after about this long. */
  lockDurationMs?: number;
}

export interface SelfHealing {
  /** Starts the incident's automatic recovery when a node turned unhealthy. */
  onTransitions(node: NodeConfig, transitions: readonly Transition[]): Promise<void>;
  close(): Promise<void>;
}

/** Also how long the node lock outlives a killed holder: the same as the job lock. */
const DEFAULT_LOCK_MS = 10_000;
/** How long a node of a mass failure waits for the one before it to finish recovering. */
const MASS_TURN_WAIT_MS = 5 * 60_000;

export function startSelfHealing(deps: SelfHealingDeps): SelfHealing {
  const { redis, prefix } = deps;
  const runningSince = deps.now();
  const bookkeeping = new RecoveryBookkeeping(redis, prefix);
  const queue = new Queue(QUEUE_NAMES.recovery, { connection: redis, prefix });
  logErrors(queue, deps.logger, 'recovery queue');
  const isSilenced = async (nodeId: string) => (await readSilence(redis, prefix, nodeId)) !== null;
  const trigger: TriggerDeps = {
    queue,
    settings: () => deps.config().recovery,
    isSilenced,
    inGrace: (nodeId) => bookkeeping.inGrace(nodeId),
  };

  const lockMs = deps.lockDurationMs ?? DEFAULT_LOCK_MS;
  const alertingState = new AlertingState(redis, prefix);
  const lockForRecovery = async (nodeId: string, incidentId: string | null) => {
    const nodeLock = await takeLock(redis, bookkeeping.lockKey(nodeId), lockMs);
    if (!nodeLock || foldedInto(await alertingState.massBook(), incidentId) === null) return nodeLock;
    const turn = await waitForLock(redis, bookkeeping.lockKey('mass-failure'), lockMs, MASS_TURN_WAIT_MS);
    if (turn)
      return { release: () => Promise.all([turn.release(), nodeLock.release()]).then(() => undefined) };
    await nodeLock.release();
    return null;
  };

  // Current for every run: `update` picks up what a reload changed (and costs nothing otherwise).
  const secrets = new Secrets(deps.config());
  const stopping = new AbortController();
  const recoveryDeps: RecoveryDeps = {
    findNode: deps.findNode,
    settings: () => deps.config().recovery,
    store: deps.store,
    check: (node) => checkNode(node, deps.checkDeps),
    runAction: (node, context) => {
      secrets.update(deps.config());
      return actionFor(node.recovery.kind, { connection: redis, prefix, secrets }).run(node, context);
    },
    unloadModels: deps.unloadModels,
    isSilenced,
    lock: (nodeId, incidentId) => lockForRecovery(nodeId, incidentId),
    noteAutomaticStart: (nodeId, at) =>
      bookkeeping.noteAutomaticStart(nodeId, at, deps.config().recovery.maxPerHour),
    noteRecovered: (nodeId, at, trigger) =>
      bookkeeping.noteRecovered(nodeId, at, deps.config().recovery.verifyTimeout, trigger === 'manual'),
    emit: deps.emit,
    onTransitions: (node, transitions) => deps.checkDeps.onChange(node, transitions, []),
    now: deps.now,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  };
  const recoveryWorker = startRecoveryWorker(
    {
      connection: redis,
      prefix,
      lockDurationMs: deps.lockDurationMs ?? DEFAULT_LOCK_MS,
      stopping: stopping.signal,
    },
    recoveryDeps,
  );
  logErrors(recoveryWorker, deps.logger, 'recovery worker');
  recoveryWorker.on('failed', (job, error) =>
    deps.logger.warn(
      { job: job?.name, attempt: job?.attemptsMade, err: error.message },
      `${job?.name}: ${error.message}`,
    ),
  );

  const keepaliveWorker = new Worker(
    sweepJob.queue,
    async () =>
      runSweep({
        ...deps.sweep,
        config: deps.config,
        store: deps.store,
        now: deps.now,
        runningSince,
        requestRecovery: (node, state) =>
          requestAutomaticRecovery(
            { node, incidentId: state.incidentId, misconfigured: state.misconfigured },
            trigger,
          ),
      }),
    { connection: redis, prefix, concurrency: 1, drainDelay: IDLE_WAIT_S },
  );
  logErrors(keepaliveWorker, deps.logger, 'keepalive worker');
  keepaliveWorker.on('failed', (_job, error) =>
    deps.logger.error({ err: error.message }, `keepalive sweep failed: ${error.message}`),
  );

  return {
    async onTransitions(node, transitions) {
      for (const transition of transitions) {
        if (transition.to !== 'unhealthy' || transition.from === 'recovering') continue;
        const target = { node, incidentId: transition.incidentId, misconfigured: transition.misconfigured };
        await requestAutomaticRecovery(target, trigger);
      }
    },
    async close() {
      // Running actions stop now (their children killed) and their jobs go back to the queue.
      stopping.abort(new RecoveryInterrupted());
      await Promise.all([
        closeWorker(recoveryWorker, deps.logger, deps.shutdownGraceMs),
        closeWorker(keepaliveWorker, deps.logger, deps.shutdownGraceMs),
      ]);
      await queue.close();
    },
  };
}
