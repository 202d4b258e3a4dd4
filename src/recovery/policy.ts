/**
 * Self-healing's policy: what a `recovery` job runs with (the node's action, its locks, its
 * bookkeeping) and when a recovery starts by itself (a node turned unhealthy, or the sweep found
 * one left alone). The queue it adds to and the workers that run it are the worker role's
 * (`workers/self-healing.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AlertingState } from '../alerts/alerting-state.js';
import { foldedInto } from '../alerts/mass-failure.js';
import { Secrets } from '../config/secrets.js';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { checkNode, type HealthCheckDeps } from '../jobs/health-check.js';
import type { RecoveryDeps, RecoveryEvent } from '../jobs/recovery.js';
import { readSilence } from '../mesh/silence.js';
import type { NodeState, Transition } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import { actionFor } from './actions/index.js';
import { RecoveryBookkeeping } from './bookkeeping.js';
import { takeLock, waitForLock } from './lock.js';
import { requestAutomaticRecovery, type TriggerDeps } from './trigger.js';

export interface RecoveryPolicyDeps {
  redis: Redis;
  prefix: string;
  config(): MeshConfig;
  findNode(nodeId: string): NodeConfig | undefined;
  store: NodeStore;
  checkDeps: HealthCheckDeps;
  unloadModels(node: NodeConfig, models: string[]): Promise<void>;
  emit(event: RecoveryEvent): Promise<void>;
  now(): number;
  /** The `recovery` queue automatic recoveries are added to. */
  queue: Queue;
  /** How long a node's lock outlives a killed holder: the recovery job's lock duration. */
  lockDurationMs: number;
}

export interface RecoveryPolicy {
  /** What a `recovery` job runs with. */
  run: RecoveryDeps;
  /** Starts the incident's automatic recovery when a node turned unhealthy. */
  onTransitions(node: NodeConfig, transitions: readonly Transition[]): Promise<void>;
  /** The sweep's: an unhealthy node whose incident has no recovery gets one. */
  requestRecovery(node: NodeConfig, state: NodeState): Promise<boolean>;
}

/** The recovery job's lock, and so the node lock's: a killed holder's job is picked up after about this long. */
export const RECOVERY_LOCK_MS = 10_000;
/** How long a node of a mass failure waits for the one before it to finish recovering. */
const MASS_TURN_WAIT_MS = 5 * 60_000;

export function recoveryPolicy(deps: RecoveryPolicyDeps): RecoveryPolicy {
  const { redis, prefix } = deps;
  const bookkeeping = new RecoveryBookkeeping(redis, prefix);
  const isSilenced = async (nodeId: string) => (await readSilence(redis, prefix, nodeId)) !== null;
  const trigger: TriggerDeps = {
    queue: deps.queue,
    settings: () => deps.config().recovery,
    isSilenced,
    inGrace: (nodeId) => bookkeeping.inGrace(nodeId),
  };

  const lockMs = deps.lockDurationMs;
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
  const run: RecoveryDeps = {
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
  return {
    run,
    requestRecovery: (node, state) =>
      requestAutomaticRecovery(
        { node, incidentId: state.incidentId, misconfigured: state.misconfigured },
        trigger,
      ),
    async onTransitions(node, transitions) {
      for (const transition of transitions) {
        if (transition.to !== 'unhealthy' || transition.from === 'recovering') continue;
        const target = { node, incidentId: transition.incidentId, misconfigured: transition.misconfigured };
        await requestAutomaticRecovery(target, trigger);
      }
    },
  };
}
