/**
 * The alert evaluation: a small scheduled job on the `alerts` queue (about every second) that
 * raises the time-based alerts — down_too_long, mesh_down, mass_failure, repeats of a CRITICAL
 * still true — and ends flapping and mass-failure episodes. It reads every enabled node's state
 * in one pipelined round trip; what it raises has deterministic ids and what must happen once is
 * one atomic Redis operation, so any number of processes may run it.
 */

import {
  downTooLongAlerts,
  flappingReleases,
  meshDownDecision,
  type NodeSnapshot,
} from '../alerts/evaluate.js';
import { type MassBook, massSettings, reviewMassFailures } from '../alerts/mass-failure.js';
import type { AlertingState } from '../alerts/redis-state.js';
import type { SilenceReader } from '../alerts/silence.js';
import type { Alert } from '../alerts/types.js';
import type { MeshConfig } from '../config/types.js';
import { initialState, type NodeState } from '../mesh/state.js';
import type { NodeStore } from '../mesh/store.js';
import { QUEUE_NAMES } from './queues.js';

export const evaluateJob = {
  queue: QUEUE_NAMES.alerts,
  name: 'evaluate',
  schedulerId: 'alerts-evaluate',
  // Removed once done rather than kept by count: a count trims the whole queue's completed list,
  // and would push the alert jobs (kept 7 days) out of Bull Board within seconds.
  options: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100, age: 7 * 24 * 3600 } },
  /** A quarter of the check interval, between 100 ms and 1 s. */
  every: (config: MeshConfig) => Math.min(1000, Math.max(100, Math.round(config.checks.interval / 4))),
} as const;

export interface EvaluateDeps {
  config(): MeshConfig;
  store: Pick<NodeStore, 'readMany' | 'notHealthy'>;
  silences: Pick<SilenceReader, 'silencedAmong'>;
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
  /** Told when a node's flapping episode ended. */
  onFlappingEnded?(nodeId: string): void;
}

export async function runEvaluation(deps: EvaluateDeps): Promise<{ raised: number }> {
  const config = deps.config();
  const nodes = config.nodes.filter((node) => node.enabled);
  const ids = nodes.map((node) => node.id);
  const [troubled, silenced, flapping, mass, meshDown] = await Promise.all([
    deps.store.notHealthy(),
    deps.silences.silencedAmong(ids),
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

  for (const release of flappingReleases(snapshots, now, config.alerts)) {
    if (!(await deps.state.endFlapping(release.nodeId))) continue;
    deps.onFlappingEnded?.(release.nodeId);
    if (release.alert) raised.push(release.alert);
  }

  if (mass.episodes.length > 0) raised.push(...(await reviewMass(deps, config, mass, snapshots, now)));
  await deps.raise(raised);
  return { raised: raised.length };
}

/** The mass failures' alerts due now; an episode found over is ended here, once across processes. */
async function reviewMass(
  deps: EvaluateDeps,
  config: MeshConfig,
  book: MassBook,
  snapshots: readonly NodeSnapshot[],
  now: number,
): Promise<Alert[]> {
  const review = reviewMassFailures(
    book,
    {
      openIncidents: new Set(
        snapshots.flatMap(({ state }) => (state.incidentId === null ? [] : [state.incidentId])),
      ),
      announced: await deps.state.announcedAmong(book.episodes.map((episode) => episode.id)),
      nodes: new Map(config.nodes.map((node) => [node.id, node.name])),
      enabledNodes: snapshots.length,
      now,
    },
    massSettings(config),
  );
  const raised = [...review.alerts];
  for (const { episode, alert } of review.endings) {
    if (await deps.state.endMassEpisode(episode)) raised.push(alert);
  }
  return raised;
}
