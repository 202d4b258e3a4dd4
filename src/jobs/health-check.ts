/**
 * The `health-check` jobs: probe nodes, apply each result to the node's state, and ask for a fast
 * confirmation when a check failed. Scheduled checks come in batches (`check n1 +49`), one job for
 * the nodes the dispatcher claimed together; a person's, a confirmation's or a watch's check is a
 * job of its own (`check n1`). A check of a node removed from the config ends quietly.
 */
import { z } from 'zod';
import type { NodeConfig } from '../config/types.js';
import {
  applyCheck,
  type CheckOutcome,
  type NodeState,
  type Transition,
  wantsDeepCheck,
} from '../mesh/state.js';
import type { Change, NodeStore, StoredState } from '../mesh/store.js';
import type { NodeStatus, ProbeResult, SoftSignal } from '../mesh/types.js';
import { uptimeMark } from '../mesh/uptime.js';
import { QUEUE_NAMES, safeJobId } from './queues.js';

export const CHECK_REASONS = ['schedule', 'confirm', 'manual', 'watch', 'gateway'] as const;

export const healthCheckPayload = z.object({
  nodeId: z.string(),
  reason: z.enum(CHECK_REASONS),
});
export type HealthCheckPayload = z.infer<typeof healthCheckPayload>;

export const checkBatchPayload = z.object({
  checks: z.array(z.object({ nodeId: z.string(), plannedAt: z.number() })).min(1),
});
export type CheckBatchPayload = z.infer<typeof checkBatchPayload>;

export interface BatchSummary {
  checked: number;
  failed: string[];
  skipped: string[];
}

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
  batchJobName: (checks: CheckBatchPayload['checks']) =>
    `check ${checks[0]?.nodeId ?? ''}${checks.length > 1 ? ` +${checks.length - 1}` : ''}`,
  confirmJobId: (nodeId: string, failingSince: number, failures: number) =>
    safeJobId('confirm', nodeId, failingSince, failures),
  /**
   * Batches and single checks alike: BullMQ applies a job's count and age to the queue's whole
   * completed list, so one kind kept fewer would push the other out of Bull Board.
   */
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
  /**
   * Runs one check's probe when the process has room for it (a bound on the requests in flight,
   * whatever the number of jobs running); the check starts, and its lag is counted, from there.
   */
  inFlight<T>(probe: () => Promise<T>): Promise<T>;
  /** A batch's claimed checks ended, however: the schedule may hand out these nodes' slots again. */
  batchDone(nodeIds: readonly string[]): Promise<void>;
  store: NodeStore;
  /** `stats.retain` in force (read per check: a reload may change it). */
  retainMs(): number;
  now(): number;
  /** Schedules a confirmation check after `delayMs` (idempotent per jobId). */
  scheduleConfirm(nodeId: string, jobId: string, delayMs: number): Promise<void>;
  /** Receives what the winning state change produced (alerts and recovery consume these). */
  onChange(node: NodeConfig, transitions: Transition[], signals: SoftSignal[]): Promise<void>;
  /**
   * Sees every check applied to the node's state (statistics, metrics); not a stale result, which
   * finished after a check that started later and so counts nowhere (see `applyCheck`).
   */
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
  return finish(node, result, outcome, startedAt, plannedAt, deps);
}

/** Checks a batch of claimed nodes: one pipelined read, the probes at once, one pipelined write. */
export async function runCheckBatch(
  payload: CheckBatchPayload,
  deps: HealthCheckDeps,
): Promise<BatchSummary> {
  try {
    return await checkBatch(payload, deps);
  } finally {
    // Left behind (Redis unreachable), the marks expire: the nodes are claimed again after a minute.
    await deps.batchDone(payload.checks.map((check) => check.nodeId)).catch(() => undefined);
  }
}

async function checkBatch(payload: CheckBatchPayload, deps: HealthCheckDeps): Promise<BatchSummary> {
  const summary: BatchSummary = { checked: 0, failed: [], skipped: [] };
  const due: { node: NodeConfig; plannedAt: number }[] = [];
  for (const check of payload.checks) {
    const node = deps.findNode(check.nodeId);
    if (node?.enabled) due.push({ node, plannedAt: check.plannedAt });
    else summary.skipped.push(check.nodeId);
  }
  const before = await startingStates(
    due.map(({ node }) => node),
    deps.store,
  );
  const probed = await Promise.all(
    due.map(({ node }, index) => probeFrom(node, before[index]?.state ?? null, deps)),
  );
  const changes = await deps.store.updateMany(
    due.map(({ node }, index) => ({
      nodeId: node.id,
      known: before[index],
      decide: (current: NodeState) =>
        decideCheck(node, current, probed[index]!.startedAt, probed[index]!.result, deps),
    })),
  );
  for (const [index, { node, plannedAt }] of due.entries()) {
    const { startedAt, result } = probed[index]!;
    const outcome = changes[index]!.extra;
    await settle(node, outcome, deps);
    const checked = finish(node, result, outcome, startedAt, plannedAt, deps);
    summary.checked += 1;
    if (!checked.ok) summary.failed.push(node.id);
  }
  return summary;
}

/**
 * The states a batch's checks start from. Only whether the check includes the deep part depends on
 * it, so a node without deep checks starts from what this process last saw (the write that follows
 * is a compare-and-set either way); a node with them is read fresh, lest a stale `lastDeepAt` run
 * a generation on the node before its time.
 */
async function startingStates(nodes: readonly NodeConfig[], store: NodeStore): Promise<StoredState[]> {
  const deep = nodes.filter((node) => node.checks.deep.every > 0).map((node) => node.id);
  if (deep.length > 0) await store.readMany(deep);
  return store.lastKnown(nodes.map((node) => node.id));
}

/**
 * One check of a node applied to its state: what confirmations, a person's check and a
 * recovery's verification all do.
 */
export async function checkNode(
  node: NodeConfig,
  deps: HealthCheckDeps,
): Promise<{ result: ProbeResult; outcome: CheckOutcome; startedAt: number }> {
  const { state: before } = await deps.store.read(node.id);
  const { startedAt, result } = await probeFrom(node, before, deps);
  const change = await deps.store.update(node.id, (current) =>
    decideCheck(node, current, startedAt, result, deps),
  );
  await settle(node, change.extra, deps);
  return { result, outcome: change.extra, startedAt };
}

function probeFrom(
  node: NodeConfig,
  state: NodeState | null,
  deps: HealthCheckDeps,
): Promise<{ startedAt: number; result: ProbeResult }> {
  return deps.inFlight(async () => {
    const startedAt = deps.now();
    const result = await deps.probe(node, state ? deepRequest(node, state, startedAt) : null);
    return { startedAt, result };
  });
}

function deepRequest(node: NodeConfig, state: NodeState, now: number): DeepRequest {
  const { deep } = node.checks;
  return wantsDeepCheck(state, deep, now) ? { model: deep.model, timeoutMs: deep.timeout } : null;
}

function decideCheck(
  node: NodeConfig,
  current: NodeState,
  startedAt: number,
  result: ProbeResult,
  deps: HealthCheckDeps,
): Change<CheckOutcome> {
  const outcome = applyCheck(node.id, current, startedAt, result, node.checks);
  return {
    state: outcome.state,
    transitions: outcome.transitions,
    record: {
      at: startedAt,
      ok: outcome.passed,
      latencyMs: result.latencyMs,
      error: outcome.state.lastError,
    },
    uptime: uptimeMark(startedAt, outcome.passed, deps.retainMs()),
    extra: outcome,
    unchanged: outcome.stale,
  };
}

/** What follows a state change: transitions to their consumers, a fast confirmation after a failure. */
async function settle(node: NodeConfig, outcome: CheckOutcome, deps: HealthCheckDeps): Promise<void> {
  if (outcome.stale) return;
  await deps.onChange(node, outcome.transitions, outcome.raisedSignals);
  const failingSince = outcome.state.failingSince;
  if (outcome.confirmSoon && failingSince !== null) {
    const jobId = healthCheckJob.confirmJobId(node.id, failingSince, outcome.state.consecutiveFailures);
    await deps.scheduleConfirm(node.id, jobId, node.checks.retryInterval);
  }
}

function finish(
  node: NodeConfig,
  result: ProbeResult,
  outcome: CheckOutcome,
  startedAt: number,
  plannedAt: number | null,
  deps: HealthCheckDeps,
): CheckSummary {
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
  if (!outcome.stale) deps.onChecked?.(node, summary);
  return summary;
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
