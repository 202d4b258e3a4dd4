/**
 * The `recovery` job: make an unhealthy node healthy again and prove it. An attempt runs the
 * node's action (after unloading its models first when the API answers but generation hangs),
 * then checks the node until one check finds it healthy or `verifyTimeout` passes. A failed
 * attempt throws, so BullMQ retries with exponential backoff; the last one alerts
 * `recovery_failed` and the job stays failed for a person to retry.
 *
 * An attempt stops at once when its signal aborts: the action's child processes are killed, its
 * request cancelled. A cancelled job fails its attempt like any other failure; a process that stops
 * (`RecoveryInterrupted`) fails nothing: the job goes back to the queue for another process.
 */
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import type { CheckOutcome } from '../mesh/state.js';
import { endRecoveryAttempt, type NodeState, startRecovery, type Transition } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import type { ActionOutcome } from '../recovery/actions/types.js';
import { QUEUE_NAMES, safeJobId } from './queues.js';

export const recoveryPayload = z.object({
  nodeId: z.string(),
  trigger: z.enum(['auto', 'manual']),
  incidentId: z.string().nullable(),
});
export type RecoveryPayload = z.infer<typeof recoveryPayload>;

export type RecoveryEventKind = 'recovery_started' | 'recovery_failed' | 'restart_loop';

export interface RecoveryEvent {
  kind: RecoveryEventKind;
  node: NodeConfig;
  incidentId: string | null;
  /** Distinguishes runs of one job (a person's retry is a new run). */
  runId: string;
  message: string;
}

export interface RecoveryResult {
  nodeId: string;
  outcome: 'recovered' | 'skipped';
  /** What was done, or why nothing was. */
  summary: string;
  tookMs: number;
}

const DAY_S = 24 * 3600;

export const recoveryJob = {
  queue: QUEUE_NAMES.recovery,
  jobName: (nodeId: string) => `recover ${nodeId}`,
  /** One automatic job per incident: re-adding it (another process, the keepalive sweep) is a no-op. */
  autoJobId: (nodeId: string, incidentId: string | null) =>
    safeJobId('recover', nodeId, incidentId ?? 'none'),
  manualJobId: (nodeId: string, now: number) =>
    safeJobId('recover', nodeId, 'manual', now, Math.random().toString(36).slice(2, 8)),
  retention: {
    removeOnComplete: { age: 7 * DAY_S, count: 1000 },
    removeOnFail: { age: 30 * DAY_S, count: 5000 },
  },
} as const;

export function autoRecoveryOptions(
  nodeId: string,
  incidentId: string | null,
  settings: MeshConfig['recovery'],
) {
  return {
    ...recoveryJob.retention,
    jobId: recoveryJob.autoJobId(nodeId, incidentId),
    deduplication: { id: safeJobId('recover', nodeId) },
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoff },
  };
}

export function manualRecoveryOptions(nodeId: string, now: number) {
  return { ...recoveryJob.retention, jobId: recoveryJob.manualJobId(nodeId, now), attempts: 1 };
}

/** What the job needs to know about the BullMQ job it runs as. */
export interface RecoveryRun {
  id: string;
  /** Attempts already made before this one. */
  attemptsMade: number;
  attempts: number;
  log(line: string): Promise<unknown>;
  /** Aborted when the job is cancelled, or with a `RecoveryInterrupted` when the process stops. */
  signal: AbortSignal;
}

/** The abort reason of a process that stops: not a failed attempt, the job is handed back. */
export class RecoveryInterrupted extends Error {
  constructor(reason = 'the process is stopping') {
    super(reason);
    this.name = 'RecoveryInterrupted';
  }
}

export interface RecoveryDeps {
  findNode(nodeId: string): NodeConfig | undefined;
  settings(): MeshConfig['recovery'];
  store: NodeStore;
  /** One check applied to the node's state, as the health-check job does it. */
  check(node: NodeConfig): Promise<{ outcome: CheckOutcome }>;
  runAction(
    node: NodeConfig,
    context: { signal: AbortSignal; log(line: string): void },
  ): Promise<ActionOutcome>;
  unloadModels(node: NodeConfig, models: string[]): Promise<void>;
  isSilenced(nodeId: string): Promise<boolean>;
  /**
   * Takes the node's recovery lock; null when another recovery of it runs. A node of a mass
   * failure also waits its turn: those recoveries run one at a time (the fault may be ours).
   */
  lock(nodeId: string, incidentId: string | null): Promise<{ release(): Promise<void> } | null>;
  /** Restart-loop bookkeeping: records an automatic start and says whether the node is looping. */
  noteAutomaticStart(nodeId: string, at: number): Promise<{ looping: boolean; count: number }>;
  /** A recovery proved the node healthy: grace period starts, a manual success resets the guard. */
  noteRecovered(nodeId: string, at: number, trigger: RecoveryPayload['trigger']): Promise<void>;
  emit(event: RecoveryEvent): Promise<void>;
  /** Status changes the recovery itself makes (recovering, back to unhealthy), as checks report theirs. */
  onTransitions(node: NodeConfig, transitions: Transition[]): Promise<void>;
  now(): number;
  /** Waits `ms`; rejects as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export async function runRecovery(
  payload: RecoveryPayload,
  run: RecoveryRun,
  deps: RecoveryDeps,
): Promise<RecoveryResult> {
  const started = deps.now();
  const node = deps.findNode(payload.nodeId);
  const skip = (summary: string): RecoveryResult => ({
    nodeId: payload.nodeId,
    outcome: 'skipped',
    summary,
    tookMs: 0,
  });
  if (!node) return skip('node not in config');
  if (node.recovery.kind === 'none')
    throw new UnrecoverableError(`${node.id}: no recovery configured (recovery.kind: none)`);

  const { state } = await deps.store.read(node.id);
  if (payload.trigger === 'auto') {
    const reason = await autoSkipReason(node, state, payload, deps);
    if (reason) {
      await run.log(`skipped: ${reason}`);
      return skip(reason);
    }
    if (run.attemptsMade === 0) {
      const guard = await deps.noteAutomaticStart(node.id, started);
      if (guard.looping) {
        const message = `${guard.count} automatic recoveries within an hour (maxPerHour ${deps.settings().maxPerHour}); automatic recovery of ${node.id} paused until a manual recovery succeeds or the hour passes`;
        await deps.emit({
          kind: 'restart_loop',
          node,
          incidentId: payload.incidentId,
          runId: run.id,
          message,
        });
        return skip(message);
      }
    }
  }

  const incidentId = state.incidentId ?? payload.incidentId;
  const lock = await deps.lock(node.id, incidentId);
  if (!lock) throw new Error(`another recovery of ${node.id} is running`);
  const runId = `${run.id}-${run.attemptsMade + 1}`;
  try {
    await deps.emit({
      kind: 'recovery_started',
      node,
      incidentId,
      runId,
      message: `recovery of ${node.name} (${node.id}) started: attempt ${run.attemptsMade + 1} of ${run.attempts} (${node.recovery.kind})`,
    });
    await applyRecoveryStep(node, deps, startRecovery);
    const summary = await attemptRecovery(node, state, run, deps);
    await deps.noteRecovered(node.id, deps.now(), payload.trigger);
    await run.log(`recovered: ${summary}`);
    return { nodeId: node.id, outcome: 'recovered', summary, tookMs: deps.now() - started };
  } catch (error) {
    await applyRecoveryStep(node, deps, endRecoveryAttempt);
    const interrupted = interruption(run.signal);
    if (interrupted) {
      await run.log(
        `attempt ${run.attemptsMade + 1} interrupted (${interrupted.message}): back to the queue`,
      );
      throw interrupted;
    }
    const message = (error as Error).message;
    await run.log(`attempt ${run.attemptsMade + 1} failed: ${message}`);
    if (run.attemptsMade + 1 >= run.attempts) {
      await deps.emit({
        kind: 'recovery_failed',
        node,
        incidentId,
        runId,
        message: `recovery of ${node.name} (${node.id}) failed after ${run.attemptsMade + 1} attempt(s): ${message}`,
      });
    }
    throw error;
  } finally {
    await lock.release();
  }
}

function interruption(signal: AbortSignal): RecoveryInterrupted | null {
  return signal.aborted && signal.reason instanceof RecoveryInterrupted ? signal.reason : null;
}

async function applyRecoveryStep(
  node: NodeConfig,
  deps: RecoveryDeps,
  step: (nodeId: string, state: NodeState, at: number) => { state: NodeState; transitions: Transition[] },
): Promise<void> {
  const change = await deps.store.update(node.id, (current) => {
    const next = step(node.id, current, deps.now());
    return { ...next, extra: null, unchanged: next.state === current };
  });
  await deps.onTransitions(node, change.transitions);
}

async function autoSkipReason(
  node: NodeConfig,
  state: NodeState,
  payload: RecoveryPayload,
  deps: RecoveryDeps,
): Promise<string | null> {
  if (!node.enabled) return 'node disabled';
  if (await deps.isSilenced(node.id)) return 'node silenced';
  if (state.misconfigured) return 'node misconfigured (HTTP 403): a restart would not help';
  if (state.status === 'healthy') return 'node healthy again';
  if (payload.incidentId !== null && state.incidentId !== payload.incidentId) return 'its incident is over';
  return null;
}

/** Escalation: unload models when only generation hangs; the configured action otherwise or after. */
async function attemptRecovery(
  node: NodeConfig,
  state: NodeState,
  run: RecoveryRun,
  deps: RecoveryDeps,
): Promise<string> {
  const verifyTimeout = deps.settings().verifyTimeout;
  const steps: string[] = [];
  const generationStuck =
    state.deepPending || state.signals.some((signal) => signal.startsWith('stuck_model:'));
  if (generationStuck && state.loadedModels.length > 0) {
    const models = state.loadedModels.map((model) => model.name);
    await run.log(`unloading ${models.join(', ')} (the API answers but generation hangs)`);
    try {
      await deps.unloadModels(node, models);
      steps.push(`unloaded ${models.join(', ')}`);
      if (await verify(node, Math.min(verifyTimeout, 15_000), run.signal, deps)) return steps.join('; ');
      await run.log('still not healthy after unloading: running the configured action');
    } catch (error) {
      await run.log(`unloading failed: ${(error as Error).message}`);
    }
  }
  const action = await runAction(node, run, deps);
  steps.push(action.summary);
  await run.log(`${action.summary}; verifying (up to ${verifyTimeout / 1000} s)`);
  if (!(await verify(node, verifyTimeout, run.signal, deps))) {
    const { state: after } = await deps.store.read(node.id);
    throw new Error(
      `${steps.join('; ')}; not healthy within ${verifyTimeout / 1000} s: ${after.lastError ?? 'no passing check'}`,
    );
  }
  return steps.join('; ');
}

async function runAction(node: NodeConfig, run: RecoveryRun, deps: RecoveryDeps): Promise<ActionOutcome> {
  return deps.runAction(node, {
    signal: run.signal,
    log: (line) => {
      void run.log(line);
    },
  });
}

/** Checks the node until one check finds it healthy, or the deadline passes; stops when `signal` aborts. */
async function verify(
  node: NodeConfig,
  timeoutMs: number,
  signal: AbortSignal,
  deps: RecoveryDeps,
): Promise<boolean> {
  const deadline = deps.now() + timeoutMs;
  const every = Math.min(node.checks.retryInterval, 1000);
  for (;;) {
    signal.throwIfAborted();
    const { outcome } = await deps.check(node);
    if (outcome.state.status === 'healthy') return true;
    if (deps.now() + every >= deadline) return false;
    await deps.sleep(every, signal);
  }
}
