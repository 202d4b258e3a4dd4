/**
 * The sweep (BullMQ queue `keepalive`, job `keepalive sweep`), every `keepalive.interval`, once
 * per mesh: the safety net under everything else. Not the keep-alive watch (`src/watch/`), which
 * holds a connection open to each node.
 * (a) an unhealthy node with no recovery in its incident gets one (an enqueue that was lost);
 * (b) a node whose last check is older than `staleAfter` x its interval raises `monitor_stalled`;
 * (c) models in `keepalive.warm` are kept loaded on every node that has them;
 * (d) the schedules of the current config are re-asserted (heals a Redis that lost its data);
 * (e) while a node is not healthy, the time-based alert rules are evaluated: a safety net under the
 *     evaluations' own requests (`jobs/alert-evaluate.ts`), which no timer polls any more.
 */
import type { MeshConfig, NodeConfig } from '../config/types.js';
import type { NodeState } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import { QUEUE_NAMES } from './queues.js';

export const sweepJob = {
  queue: QUEUE_NAMES.keepalive,
  schedulerId: 'keepalive-sweep',
  jobName: 'keepalive sweep',
  options: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100, age: 7 * 24 * 3600 } },
} as const;

export interface StalledNode {
  node: NodeConfig;
  lastCheckAt: number;
  silentForMs: number;
}

export interface SweepResult {
  recoveriesRequested: string[];
  stalled: string[];
  warmed: number;
  schedulesRestored: boolean;
}

export interface SweepDeps {
  config(): MeshConfig;
  store: NodeStore;
  requestRecovery(node: NodeConfig, state: NodeState): Promise<boolean>;
  reportStalled(stalled: StalledNode): Promise<void>;
  warm(node: NodeConfig, models: readonly string[], keepAliveMs: number): Promise<number>;
  /** Re-asserts schedules and the published node list; true when they had been lost. */
  reassertSchedules(config: MeshConfig): Promise<boolean>;
  /** Asks for an evaluation of the time-based alert rules. */
  evaluateAlerts(): Promise<void>;
  now(): number;
  /** When this process started: stalls are only judged after `staleAfter` intervals of it. */
  runningSince: number;
}

/**
 * Pure: nodes whose checks stopped happening. Never-checked nodes have nothing to compare with,
 * and a process that has not yet run for `staleAfter` intervals has not given checks their chance:
 * a last check from before it started (a mesh restarted after a while) is not a stall.
 */
export function findStalled(
  nodes: readonly NodeConfig[],
  states: readonly NodeState[],
  staleAfter: number,
  now: number,
  runningSince: number,
): StalledNode[] {
  const stalled: StalledNode[] = [];
  nodes.forEach((node, index) => {
    const lastCheckAt = states[index]?.lastCheckAt ?? null;
    const allowedMs = staleAfter * node.checks.interval;
    if (lastCheckAt === null || now - runningSince <= allowedMs) return;
    const silentForMs = now - lastCheckAt;
    if (silentForMs > allowedMs) stalled.push({ node, lastCheckAt, silentForMs });
  });
  return stalled;
}

export async function runSweep(deps: SweepDeps): Promise<SweepResult> {
  const config = deps.config();
  const schedulesRestored = await deps.reassertSchedules(config);
  const nodes = config.nodes.filter((node) => node.enabled);
  const states = (await deps.store.readMany(nodes.map((node) => node.id))).map((stored) => stored.state);

  const recoveriesRequested: string[] = [];
  for (const [index, node] of nodes.entries()) {
    const state = states[index];
    if (state?.status === 'unhealthy' && (await deps.requestRecovery(node, state)))
      recoveriesRequested.push(node.id);
  }

  if (states.some((state) => state.status !== 'healthy')) await deps.evaluateAlerts();

  const stalled = findStalled(nodes, states, config.keepalive.staleAfter, deps.now(), deps.runningSince);
  for (const entry of stalled) await deps.reportStalled(entry);

  let warmed = 0;
  if (config.keepalive.warm.length > 0) {
    const keepAliveMs = 3 * config.keepalive.interval;
    const healthy = nodes.filter((_, index) => states[index]?.status === 'healthy');
    const counts = await Promise.all(
      healthy.map((node) => deps.warm(node, config.keepalive.warm, keepAliveMs)),
    );
    warmed = counts.reduce((sum, count) => sum + count, 0);
  }
  return { recoveriesRequested, stalled: stalled.map((entry) => entry.node.id), warmed, schedulesRestored };
}
