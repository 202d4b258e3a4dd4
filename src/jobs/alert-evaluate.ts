/**
 * The alert evaluation: a small job on the `alerts` queue that raises the time-based alerts —
 * down_too_long, mesh_down, mass_failure, repeats of a CRITICAL still true — and ends flapping
 * and mass-failure episodes. It reads every enabled node's state in one pipelined round trip; what
 * it raises has deterministic ids and what must happen once is one atomic Redis operation, so any
 * number of processes may run it.
 *
 * It runs when something it reads changed — a node's status (`Alerting.emit`), a silence, the
 * config (`syncAlertSchedules`) — and at the next moment one of its rules can give something new,
 * which each run works out and asks for; and, as a safety net under all of these (a request lost
 * with a failed job or a Redis that lost its data), on each sweep that finds a node not healthy
 * (`runSweep`). It used to run every quarter interval: about 55 Redis commands a second for a
 * quiet mesh of 3 nodes (BENCHMARKS.md, "Idle cost").
 */

import type { Queue } from 'bullmq';
import type { AlertingState } from '../alerts/alerting-state.js';
import {
  downTooLongAlerts,
  flappingReleases,
  meshDownDecision,
  type NodeSnapshot,
  nextRuleAt,
} from '../alerts/evaluate.js';
import { type MassBook, massSettings, nextMassReviewAt, reviewMassFailures } from '../alerts/mass-failure.js';
import type { SilenceReader } from '../alerts/silence.js';
import type { Alert } from '../alerts/types.js';
import type { MeshConfig } from '../config/types.js';
import { initialState, type NodeState } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import { QUEUE_NAMES } from './queues.js';

export const evaluateJob = {
  queue: QUEUE_NAMES.alerts,
  name: 'evaluate',
  /** The Job Scheduler earlier versions ran it on; removed where found. */
  schedulerId: 'alerts-evaluate',
  // Removed once done rather than kept by count: a count trims the whole queue's completed list,
  // and would push the alert jobs (kept 7 days) out of Bull Board within seconds.
  // A failed run is retried: it may have been the one to ask for the next.
  options: {
    attempts: 3,
    backoff: { type: 'fixed', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: { count: 100, age: 7 * 24 * 3600 },
  },
  /**
   * Evaluations run on the boundaries of this step: a quarter of the check interval, between
   * 100 ms and 1 s. It is how late a time-based alert may be, and how many evaluations a burst of
   * changes costs (one per step).
   */
  step: (config: MeshConfig) => Math.min(1000, Math.max(100, Math.round(config.checks.interval / 4))),
  /** One job per step boundary, whoever asks for it (no `:`, not all digits). */
  jobId: (slot: number) => `evaluate-${slot}`,
} as const;

/** The first step boundary after `at`: a change made at `at` is read by the evaluation there. */
export function evaluationSlot(config: MeshConfig, at: number): number {
  const step = evaluateJob.step(config);
  return (Math.floor(at / step) + 1) * step;
}

/** Adds the evaluation of the first step boundary after `at` (once: its job id is the boundary). */
export async function requestEvaluation(
  queue: Queue,
  config: MeshConfig,
  at: number,
  now: number,
): Promise<void> {
  const slot = evaluationSlot(config, at);
  await queue.add(
    evaluateJob.name,
    {},
    { ...evaluateJob.options, jobId: evaluateJob.jobId(slot), delay: Math.max(0, slot - now) },
  );
}

/**
 * `requestEvaluation` for a process that asks often (every state change): a boundary it has
 * already asked for costs nothing, so a burst of changes is one Redis call per step.
 */
export function evaluationRequester(
  queue: Queue,
  config: () => MeshConfig,
  now: () => number,
): (at: number) => Promise<void> {
  const asked = new Set<number>();
  return async (at) => {
    const current = config();
    const slot = evaluationSlot(current, at);
    if (asked.has(slot)) return;
    const time = now();
    for (const old of asked) if (old < time) asked.delete(old);
    await requestEvaluation(queue, current, at, time);
    asked.add(slot);
  };
}

export interface EvaluateDeps {
  config(): MeshConfig;
  store: Pick<NodeStore, 'readMany' | 'notHealthy'>;
  silences: Pick<SilenceReader, 'silenceEnds'>;
  state: Pick<
    AlertingState,
    | 'flappingOf'
    | 'endFlapping'
    | 'massBook'
    | 'foldedAmong'
    | 'announcedAmong'
    | 'endMassEpisode'
    | 'meshDown'
    | 'startMeshDown'
    | 'endMeshDown'
  >;
  now(): number;
  raise(alerts: readonly Alert[]): Promise<void>;
  /** Asks for an evaluation at `at` (`evaluationRequester`): when a rule can next give something new. */
  evaluateAt(at: number): Promise<void>;
  /** Told when a node's flapping episode ended. */
  onFlappingEnded?(nodeId: string): void;
}

/** `next`: when the next evaluation was asked for; null for a quiet mesh, which needs none. */
export async function runEvaluation(deps: EvaluateDeps): Promise<{ raised: number; next: number | null }> {
  const config = deps.config();
  const nodes = config.nodes.filter((node) => node.enabled);
  const ids = nodes.map((node) => node.id);
  const [troubled, silenced, flapping, mass, meshDown] = await Promise.all([
    deps.store.notHealthy(),
    deps.silences.silenceEnds(ids),
    deps.state.flappingOf(ids),
    deps.state.massBook(),
    deps.state.meshDown(),
  ]);
  const now = deps.now();
  // Only nodes in trouble (or flapping) need their whole state: a healthy node's is known enough.
  const needed = ids.filter((id, index) => troubled.has(id) || flapping[index] != null);
  const read = await deps.store.readMany(needed);
  const states = new Map(needed.map((id, index) => [id, read[index]?.state]));
  const healthy: NodeState = {
    ...initialState(),
    status: 'healthy',
    checks: 1,
    lastCheckAt: now,
    lastOkAt: now,
  };
  const snapshots: NodeSnapshot[] = nodes.flatMap((node, index) => {
    const stored = { state: states.get(node.id) ?? healthy };
    const episode = flapping[index] ?? null;
    return [
      {
        node: { id: node.id, name: node.name },
        state: stored.state,
        silenced: silenced.has(node.id),
        flapping: episode,
      },
    ];
  });
  const down = snapshots.flatMap(({ state }) =>
    (state.status === 'unhealthy' || state.status === 'recovering') && state.incidentId !== null
      ? [state.incidentId]
      : [],
  );
  const folded = new Set((await deps.state.foldedAmong(down)).keys());
  const raised: Alert[] = downTooLongAlerts(snapshots, folded, now, config.alerts);

  const decision = meshDownDecision(snapshots, meshDown, now, config.alerts);
  if (decision.kind === 'repeat') raised.push(decision.alert);
  if (decision.kind === 'start' && (await deps.state.startMeshDown(decision.since)))
    raised.push(decision.alert);
  if (decision.kind === 'end' && (await deps.state.endMeshDown())) raised.push(decision.alert);
  const meshDownAfter =
    decision.kind === 'start' ? decision.since : decision.kind === 'end' ? null : meshDown;

  for (const release of flappingReleases(snapshots, now, config.alerts)) {
    if (!(await deps.state.endFlapping(release.nodeId))) continue;
    deps.onFlappingEnded?.(release.nodeId);
    if (release.alert) raised.push(release.alert);
  }

  const review = mass.episodes.length > 0 ? await reviewMass(deps, config, mass, snapshots, now) : null;
  if (review) raised.push(...review.alerts);
  await deps.raise(raised);

  // Silenced nodes do not count for mesh_down: a silence ending may start or end it.
  const silenceEnds = [...silenced.values()].filter((until) => until > now);
  const times = [nextRuleAt(snapshots, folded, meshDownAfter, now, config.alerts), review?.next ?? null];
  const due = [...silenceEnds, ...times.filter((time): time is number => time !== null)];
  const next = due.length === 0 ? null : Math.min(...due);
  if (next !== null) await deps.evaluateAt(next);
  return { raised: raised.length, next };
}

/**
 * The mass failures' alerts due now, and when the review can next give something new; an episode
 * found over is ended here, once across processes.
 */
async function reviewMass(
  deps: EvaluateDeps,
  config: MeshConfig,
  book: MassBook,
  snapshots: readonly NodeSnapshot[],
  now: number,
): Promise<{ alerts: Alert[]; next: number | null }> {
  const facts = {
    openIncidents: new Set(
      snapshots.flatMap(({ state }) => (state.incidentId === null ? [] : [state.incidentId])),
    ),
    announced: await deps.state.announcedAmong(book.episodes.map((episode) => episode.id)),
    nodes: new Map(config.nodes.map((node) => [node.id, node.name])),
    enabledNodes: snapshots.length,
    now,
  };
  const settings = massSettings(config);
  const review = reviewMassFailures(book, facts, settings);
  const alerts = [...review.alerts];
  for (const { episode, alert } of review.endings) {
    if (await deps.state.endMassEpisode(episode)) alerts.push(alert);
  }
  return { alerts, next: nextMassReviewAt(book, facts, settings) };
}
