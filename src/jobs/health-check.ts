/**
 * The `health-check` job: probe one node, apply the result to its state, and ask for a fast
 * confirmation when it failed. A scheduled run for a node removed from the config ends quietly:
 * removing a job scheduler does not cancel a run that is already due.
 */
import { z } from 'zod';
import type { NodeConfig } from '../config/types.js';
import { applyCheck, type CheckOutcome, type Transition, wantsDeepCheck } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import type { NodeStatus, ProbeResult, SoftSignal } from '../mesh/types.js';
import { QUEUE_NAMES, safeJobId } from './queues.js';

export const CHECK_REASONS = ['schedule', 'confirm', 'manual', 'watch'] as const;

export const healthCheckPayload = z.object({
  nodeId: z.string(),
  reason: z.enum(CHECK_REASONS),
});
export type HealthCheckPayload = z.infer<typeof healthCheckPayload>;

export interface CheckSummary {
  nodeId: string;
  /** Why nothing was checked (node removed or disabled), else null. */
  skipped: string | null;
  ok: boolean;
  status: NodeStatus | null;
  latencyMs: number | null;
  error: string | null;
  version: string | null;
  models: number | null;
  /** When the check started and when it was due (epoch ms); their difference is the schedule lag. */
  startedAt: number | null;
  plannedAt: number | null;
}

export const healthCheckJob = {
  queue: QUEUE_NAMES.healthCheck,
  jobName: (nodeId: string) => `check ${nodeId}`,
  schedulerId: (nodeId: string) => `check-${nodeId}`,
  confirmJobId: (nodeId: string, failingSince: number, failures: number) =>
    safeJobId('confirm', nodeId, failingSince, failures),
  options: {
    attempts: 1,
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  },
} as const;

export type DeepRequest = { model: string; timeoutMs: number } | null;

export interface HealthCheckDeps {
  findNode(nodeId: string): NodeConfig | undefined;
  probe(node: NodeConfig, deep: DeepRequest): Promise<ProbeResult>;
  store: NodeStore;
  retainMs: number;
  now(): number;
  /** Schedules a confirmation check after `delayMs` (idempotent per jobId). */
  scheduleConfirm(nodeId: string, jobId: string, delayMs: number): Promise<void>;
  /** Receives what the winning state change produced (alerts and recovery consume these). */
  onChange(node: NodeConfig, transitions: Transition[], signals: SoftSignal[]): Promise<void>;
  /** Sees every finished check (metrics). */
  onChecked?(node: NodeConfig, summary: CheckSummary): void;
}

export async function runHealthCheck(
  payload: HealthCheckPayload,
  deps: HealthCheckDeps,
  plannedAt: number | null = null,
): Promise<CheckSummary> {
  const node = deps.findNode(payload.nodeId);
  if (!node?.enabled) return skipped(payload.nodeId, node ? 'node disabled' : 'node not in config');
  const { result, outcome, startedAt } = await checkNode(node, deps);
  const summary: CheckSummary = {
    nodeId: node.id,
    skipped: null,
    ok: outcome.passed,
    status: outcome.state.status,
    latencyMs: result.latencyMs,
    error: outcome.passed ? null : outcome.stale && !result.ok ? result.error : outcome.state.lastError,
    version: result.ok ? result.version : null,
    models: result.ok ? result.models : null,
    startedAt,
    plannedAt,
  };
  deps.onChecked?.(node, summary);
  return summary;
}

/**
 * One check of a node applied to its state: what scheduled checks, confirmations and a
 * recovery's verification all do.
 */
export async function checkNode(
  node: NodeConfig,
  deps: HealthCheckDeps,
): Promise<{ result: ProbeResult; outcome: CheckOutcome; startedAt: number }> {
  const { state: before } = await deps.store.read(node.id);
  const startedAt = deps.now();
  const deep = wantsDeepCheck(before, node.checks.deep, startedAt)
    ? { model: node.checks.deep.model, timeoutMs: node.checks.deep.timeout }
    : null;
  const result = await deps.probe(node, deep);

  const change = await deps.store.update(node.id, (current) => {
    const outcome = applyCheck(node.id, current, startedAt, result, node.checks, deps.retainMs);
    return {
      state: outcome.state,
      transitions: outcome.transitions,
      record: {
        at: startedAt,
        ok: outcome.passed,
        latencyMs: result.latencyMs,
        error: outcome.state.lastError,
      },
      extra: outcome,
      unchanged: outcome.stale,
    };
  });
  const outcome = change.extra;
  if (!outcome.stale) {
    await deps.onChange(node, outcome.transitions, outcome.raisedSignals);
    const failingSince = outcome.state.failingSince;
    if (outcome.confirmSoon && failingSince !== null) {
      const jobId = healthCheckJob.confirmJobId(node.id, failingSince, outcome.state.consecutiveFailures);
      await deps.scheduleConfirm(node.id, jobId, node.checks.retryInterval);
    }
  }
  return { result, outcome, startedAt };
}

function skipped(nodeId: string, why: string): CheckSummary {
  return {
    nodeId,
    skipped: why,
    ok: false,
    status: null,
    latencyMs: null,
    error: null,
    version: null,
    models: null,
    startedAt: null,
    plannedAt: null,
  };
}
