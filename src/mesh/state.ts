/**
 * The node state machine: a pure function of (state, event, now, thresholds).
 *
 * Consecutive failures move a node unknown/healthy -> degraded -> unhealthy; `healthyAfter`
 * consecutive successes bring a failing node back. A run of failures that reaches `degradedAfter`
 * opens an incident, named after the run's first failure; the return to healthy closes it.
 * The store applies these functions atomically, so a transition is emitted exactly once.
 */
import type { ChecksConfig } from '../config/types.js';
import type { NodeStatus, ProbeResult, SoftSignal } from './types.js';

export interface CheckRecord {
  at: number;
  ok: boolean;
  latencyMs: number;
  error: string | null;
}

export interface NodeState {
  status: NodeStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Deep-check timeouts in a row; the `deep.failAfter`-th one fails the check. */
  deepTimeouts: number;
  /** Set by a deep-check timeout: every check includes the deep part until one succeeds. */
  deepPending: boolean;
  lastDeepAt: number | null;
  lastCheckAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  /** A 403: Ollama refused us; never restarted automatically. */
  misconfigured: boolean;
  latencyMs: number | null;
  version: string | null;
  models: number | null;
  /** The models the last successful check found installed (`/api/tags` names): the gateway routes by them. */
  installedModels: string[];
  loadedModels: { name: string; sizeVram: number }[];
  checks: number;
  successes: number;
  /** Start of the current run of failures, which names the incident once it reaches degradedAfter. */
  failingSince: number | null;
  incidentId: string | null;
  /** When the node last became unhealthy (the start of `criticalAfter`). */
  unhealthySince: number | null;
  statusChangedAt: number | null;
  /** Soft signals currently true, as `kind:model` keys, so each one alerts once while it lasts. */
  signals: string[];
}

export interface Transition {
  nodeId: string;
  from: NodeStatus;
  to: NodeStatus;
  at: number;
  incidentId: string | null;
  /** The failure that caused it, or null for a return to health. */
  error: string | null;
  misconfigured: boolean;
  /** For a return to healthy that closes an incident: how long the incident lasted. */
  downMs: number | null;
}

export interface CheckOutcome {
  state: NodeState;
  transitions: Transition[];
  /** Soft signals that started being true with this check. */
  raisedSignals: SoftSignal[];
  /** Whether the check counted as passed (a first deep timeout still passes). */
  passed: boolean;
  /** Fast confirm: the next check should come after retryInterval rather than interval. */
  confirmSoon: boolean;
  /** A result older than the newest one already applied is ignored. */
  stale: boolean;
}

export type Thresholds = Pick<ChecksConfig, 'degradedAfter' | 'unhealthyAfter' | 'healthyAfter' | 'deep'>;

export function initialState(): NodeState {
  return {
    status: 'unknown',
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    deepTimeouts: 0,
    deepPending: false,
    lastDeepAt: null,
    lastCheckAt: null,
    lastOkAt: null,
    lastError: null,
    misconfigured: false,
    latencyMs: null,
    version: null,
    models: null,
    installedModels: [],
    loadedModels: [],
    checks: 0,
    successes: 0,
    failingSince: null,
    incidentId: null,
    unhealthySince: null,
    statusChangedAt: null,
    signals: [],
  };
}

/** Whether the check about to start at `now` should include the deep part. */
export function wantsDeepCheck(state: NodeState, deep: Thresholds['deep'], now: number): boolean {
  if (deep.every <= 0) return false;
  if (state.deepPending || state.lastDeepAt === null) return true;
  return now - state.lastDeepAt >= deep.every;
}

export function incidentIdOf(nodeId: string, failingSince: number): string {
  return `${nodeId}:${failingSince}`;
}

/** Classifies a probe result: failed with an error, or passed. Deep timeouts count up to failAfter. */
function judge(
  state: NodeState,
  result: ProbeResult,
  failAfter: number,
): { error: string | null; deepTimeouts: number; deepPending: boolean } {
  const deep = result.deep;
  let deepTimeouts = state.deepTimeouts;
  let deepPending = state.deepPending;
  if (deep?.kind === 'timeout') {
    deepTimeouts += 1;
    deepPending = true;
  } else if (deep?.kind === 'ok') {
    deepTimeouts = 0;
    deepPending = false;
  }
  if (!result.ok) return { error: result.error, deepTimeouts, deepPending };
  if (deep?.kind === 'timeout' && deepTimeouts >= failAfter) {
    const error = `deep check of ${deep.model} timed out after ${deep.afterMs} ms (${deepTimeouts} in a row)`;
    return { error, deepTimeouts, deepPending };
  }
  return { error: null, deepTimeouts, deepPending };
}

export function applyCheck(
  nodeId: string,
  prev: NodeState,
  at: number,
  result: ProbeResult,
  thresholds: Thresholds,
): CheckOutcome {
  if (prev.lastCheckAt !== null && at < prev.lastCheckAt) {
    return {
      state: prev,
      transitions: [],
      raisedSignals: [],
      passed: result.ok,
      confirmSoon: false,
      stale: true,
    };
  }
  const verdict = judge(prev, result, thresholds.deep.failAfter);
  const passed = verdict.error === null;
  const next: NodeState = {
    ...prev,
    deepTimeouts: verdict.deepTimeouts,
    deepPending: verdict.deepPending,
    lastDeepAt: result.deep && result.deep.kind !== 'skipped' ? at : prev.lastDeepAt,
    lastCheckAt: at,
    latencyMs: result.latencyMs,
    checks: prev.checks + 1,
  };
  if (result.ok) {
    next.version = result.version;
    next.models = result.models;
    next.installedModels = result.installedModels;
    next.loadedModels = result.loadedModels.map((m) => ({ name: m.name, sizeVram: m.sizeVram }));
  }
  const raisedSignals = result.ok ? newSignals(prev.signals, result.signals) : [];
  if (result.ok) next.signals = result.signals.map(signalKey);

  const transitions = passed
    ? onSuccess(nodeId, prev, next, at, thresholds)
    : onFailure(nodeId, prev, next, at, thresholds, verdict.error ?? 'check failed', isForbidden(result));
  const confirmSoon = !passed && next.status !== 'unhealthy' && next.status !== 'recovering';
  return { state: next, transitions, raisedSignals, passed, confirmSoon, stale: false };
}

function isForbidden(result: ProbeResult): boolean {
  return !result.ok && result.failure === 'forbidden';
}

function onSuccess(
  nodeId: string,
  prev: NodeState,
  next: NodeState,
  at: number,
  thresholds: Thresholds,
): Transition[] {
  next.successes = prev.successes + 1;
  next.consecutiveSuccesses = prev.consecutiveSuccesses + 1;
  next.consecutiveFailures = 0;
  next.lastOkAt = at;
  next.lastError = null;
  if (next.incidentId === null) next.failingSince = null;
  const failing = prev.status !== 'healthy' && prev.status !== 'unknown';
  if (prev.status === 'unknown' || (failing && next.consecutiveSuccesses >= thresholds.healthyAfter)) {
    return [becomeHealthy(nodeId, prev, next, at)];
  }
  return [];
}

function becomeHealthy(nodeId: string, prev: NodeState, next: NodeState, at: number): Transition {
  const downMs = prev.failingSince !== null && prev.incidentId !== null ? at - prev.failingSince : null;
  const transition = move(nodeId, prev, next, 'healthy', at, null);
  transition.downMs = downMs;
  next.incidentId = null;
  next.failingSince = null;
  next.unhealthySince = null;
  next.misconfigured = false;
  return transition;
}

function onFailure(
  nodeId: string,
  prev: NodeState,
  next: NodeState,
  at: number,
  thresholds: Thresholds,
  error: string,
  forbidden: boolean,
): Transition[] {
  next.consecutiveFailures = prev.consecutiveFailures + 1;
  next.consecutiveSuccesses = 0;
  next.lastError = error;
  next.failingSince = prev.failingSince ?? at;
  next.misconfigured = forbidden || (prev.misconfigured && prev.status === 'unhealthy');
  const failures = next.consecutiveFailures;
  if (failures >= thresholds.degradedAfter || forbidden) {
    next.incidentId ??= incidentIdOf(nodeId, next.failingSince);
  }
  // A recovery job owns the node while it runs; its outcome moves the status.
  if (prev.status === 'recovering' || prev.status === 'unhealthy') return [];
  if (forbidden || failures >= thresholds.unhealthyAfter) {
    next.unhealthySince = at;
    return [move(nodeId, prev, next, 'unhealthy', at, error)];
  }
  if (failures >= thresholds.degradedAfter && prev.status !== 'degraded') {
    return [move(nodeId, prev, next, 'degraded', at, error)];
  }
  return [];
}

function move(
  nodeId: string,
  prev: NodeState,
  next: NodeState,
  to: NodeStatus,
  at: number,
  error: string | null,
): Transition {
  next.status = to;
  next.statusChangedAt = at;
  return {
    nodeId,
    from: prev.status,
    to,
    at,
    incidentId: next.incidentId,
    error,
    misconfigured: next.misconfigured,
    downMs: null,
  };
}

/** A recovery attempt starts: the node is `recovering` until the attempt ends. */
export function startRecovery(
  nodeId: string,
  prev: NodeState,
  at: number,
): { state: NodeState; transitions: Transition[] } {
  if (prev.status === 'recovering' || prev.status === 'healthy') return { state: prev, transitions: [] };
  const next = { ...prev };
  return { state: next, transitions: [move(nodeId, prev, next, 'recovering', at, prev.lastError)] };
}

/** A recovery attempt ended without the node being healthy: unhealthy between attempts. */
export function endRecoveryAttempt(
  nodeId: string,
  prev: NodeState,
  at: number,
): { state: NodeState; transitions: Transition[] } {
  if (prev.status !== 'recovering') return { state: prev, transitions: [] };
  const next = { ...prev };
  next.unhealthySince ??= at;
  return { state: next, transitions: [move(nodeId, prev, next, 'unhealthy', at, prev.lastError)] };
}

function signalKey(signal: SoftSignal): string {
  return `${signal.kind}:${signal.model}`;
}

function newSignals(active: readonly string[], current: readonly SoftSignal[]): SoftSignal[] {
  return current.filter((signal) => !active.includes(signalKey(signal)));
}

export function successRate(state: NodeState): number | null {
  return state.checks === 0 ? null : Math.round((10000 * state.successes) / state.checks) / 100;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
