/**
 * Time-based alert rules (pure), run from one read of every enabled node's state when something
 * changed or comes due: `down_too_long`, `mesh_down`, repeats of a CRITICAL still true, and the
 * end of a flapping episode. Repeats have deterministic ids (`...:<n>` for the n-th repeat) and
 * are raised by whichever evaluation sees them due; the changes that must happen once (an
 * episode starting or ending) are returned as decisions that the caller applies with an atomic
 * Redis operation. `nextRuleAt` says when these rules can next give something new.
 */
import type { MeshConfig } from '../config/types.js';
import type { NodeState } from '../mesh/state.js';
import { type FlappingEpisode, flappingSettled } from './flapping.js';
import { meshIncidentId } from './incident-id.js';
import { formatDuration, isoTime, nodeLabel } from './message-text.js';
import { type AlertNode, isFailing, makeAlert } from './rules.js';
import type { Alert, AlertKind } from './types.js';

export type AlertSettings = Pick<MeshConfig['alerts'], 'criticalAfter' | 'repeatEvery' | 'flapping'>;

/** One enabled node as the evaluation reads it. */
export interface NodeSnapshot {
  node: AlertNode;
  state: NodeState;
  silenced: boolean;
  flapping: FlappingEpisode | null;
}

/**
 * `down_too_long` for each node unhealthy (or recovering) for `criticalAfter`, then every
 * `repeatEvery`; none for an incident in `folded` (folded into a mass failure).
 */
export function downTooLongAlerts(
  nodes: readonly NodeSnapshot[],
  folded: ReadonlySet<string>,
  now: number,
  settings: AlertSettings,
): Alert[] {
  const alerts: Alert[] = [];
  for (const { node, state } of nodes) {
    const { unhealthySince, incidentId } = state;
    if (state.status !== 'unhealthy' && state.status !== 'recovering') continue;
    if (unhealthySince === null || incidentId === null || folded.has(incidentId)) continue;
    const due = unhealthySince + settings.criticalAfter;
    if (now < due) continue;
    const n = Math.floor((now - due) / settings.repeatEvery);
    const at = due + n * settings.repeatEvery;
    const who = nodeLabel(node);
    const lasted = formatDuration(at - unhealthySince);
    alerts.push(
      makeAlert('down_too_long', {
        id: n === 0 ? `${incidentId}:down_too_long` : `${incidentId}:down_too_long:${n}`,
        at,
        nodeId: node.id,
        incidentId,
        title: n === 0 ? `${who} has been down for ${lasted}` : `${who} is still down after ${lasted}`,
        message:
          `${who} has been ${state.status} since ${isoTime(unhealthySince)} (${lasted})` +
          `${state.lastError ? `; last error: ${state.lastError}` : ''}.`,
      }),
    );
  }
  return alerts;
}

/**
 * When the mesh went down, or null while it is not: no enabled node is healthy. Silenced nodes
 * are left out (a mesh under maintenance is not down), and so are nodes never checked yet.
 */
export function meshDownSince(nodes: readonly NodeSnapshot[], now: number): number | null {
  const watched = nodes.filter((snapshot) => !snapshot.silenced);
  if (watched.length === 0 || !watched.every(({ state }) => isFailing(state.status))) return null;
  return Math.max(...watched.map(({ state }) => state.failingSince ?? state.statusChangedAt ?? now));
}

export type MeshDownDecision =
  | { kind: 'start'; since: number; alert: Alert }
  | { kind: 'end'; since: number; alert: Alert }
  | { kind: 'repeat'; alert: Alert }
  | { kind: 'none' };

/** What to do about `mesh_down`, given the episode on record (`recorded`, its start) and now. */
export function meshDownDecision(
  nodes: readonly NodeSnapshot[],
  recorded: number | null,
  now: number,
  settings: AlertSettings,
): MeshDownDecision {
  const since = meshDownSince(nodes, now);
  const watched = nodes.filter((snapshot) => !snapshot.silenced).length;
  if (since !== null && recorded === null) {
    return { kind: 'start', since, alert: meshDownAlert(since, since, 0, watched) };
  }
  if (since === null && recorded !== null) {
    return {
      kind: 'end',
      since: recorded,
      alert: makeAlert('recovered', {
        id: `${meshIncidentId(recorded)}:recovered`,
        at: now,
        nodeId: null,
        incidentId: meshIncidentId(recorded),
        title: 'The mesh is up again',
        message: `A node is healthy again; the mesh had no healthy node for ${formatDuration(now - recorded)}.`,
      }),
    };
  }
  if (since !== null && recorded !== null) {
    const n = Math.floor((now - recorded) / settings.repeatEvery);
    if (n >= 1)
      return {
        kind: 'repeat',
        alert: meshDownAlert(recorded, recorded + n * settings.repeatEvery, n, watched),
      };
  }
  return { kind: 'none' };
}

function meshDownAlert(since: number, at: number, n: number, watched: number): Alert {
  const incidentId = meshIncidentId(since);
  return makeAlert('mesh_down', {
    id: n === 0 ? `${incidentId}:mesh_down` : `${incidentId}:mesh_down:${n}`,
    at,
    nodeId: null,
    incidentId,
    title:
      n === 0
        ? 'The mesh is down: no node is healthy'
        : `The mesh is still down after ${formatDuration(at - since)}`,
    message: `None of the ${watched} monitored nodes has been healthy since ${isoTime(since)} (${formatDuration(at - since)}).`,
  });
}

/**
 * The first moment after `now` at which these rules can give something new while no state
 * changes: a `down_too_long` or its next repeat, `mesh_down`'s next repeat (`meshDownSince`: the
 * episode on record after this evaluation), a flapping episode settling. Null when none can: a
 * quiet mesh is not evaluated again until a state changes. Folded incidents raise nothing.
 */
export function nextRuleAt(
  nodes: readonly NodeSnapshot[],
  folded: ReadonlySet<string>,
  meshDownSince: number | null,
  now: number,
  settings: AlertSettings,
): number | null {
  const times: number[] = [];
  const nextOf = (first: number) =>
    now < first
      ? first
      : first + (Math.floor((now - first) / settings.repeatEvery) + 1) * settings.repeatEvery;
  for (const { state, flapping } of nodes) {
    const { unhealthySince, incidentId } = state;
    const down = state.status === 'unhealthy' || state.status === 'recovering';
    if (down && unhealthySince !== null && incidentId !== null && !folded.has(incidentId))
      times.push(nextOf(unhealthySince + settings.criticalAfter));
    if (flapping !== null) {
      const settles =
        Math.max(flapping.since, state.statusChangedAt ?? flapping.since) + settings.flapping.window;
      if (settles > now) times.push(settles);
    }
  }
  if (meshDownSince !== null) times.push(nextOf(meshDownSince + settings.repeatEvery));
  return times.length === 0 ? null : Math.min(...times);
}

/** A flapping episode that has ended, with the alert it held back for the status the node settled in, if failing. */
export interface FlappingRelease {
  nodeId: string;
  alert: Alert | null;
}

/** Flapping episodes whose node kept one status for a whole `flapping.window`. */
export function flappingReleases(
  nodes: readonly NodeSnapshot[],
  now: number,
  settings: AlertSettings,
): FlappingRelease[] {
  const releases: FlappingRelease[] = [];
  for (const { node, state, flapping } of nodes) {
    if (flapping === null) continue;
    const lastChange = Math.max(flapping.since, state.statusChangedAt ?? flapping.since);
    if (!flappingSettled(lastChange, now, settings.flapping)) continue;
    releases.push({ nodeId: node.id, alert: settledAlert(node, state, now) });
  }
  return releases;
}

function settledAlert(node: AlertNode, state: NodeState, now: number): Alert | null {
  if (!isFailing(state.status) || state.incidentId === null) return null;
  const kind: AlertKind =
    state.status === 'degraded' ? 'degraded' : state.misconfigured ? 'misconfigured' : 'unhealthy';
  const who = nodeLabel(node);
  const status = kind === 'misconfigured' ? 'misconfigured' : state.status;
  return makeAlert(kind, {
    id: `${state.incidentId}:${kind}:settled`,
    at: now,
    nodeId: node.id,
    incidentId: state.incidentId,
    title: `${who} stopped flapping and is ${status}`,
    message: `${who} has been ${status} since ${isoTime(state.statusChangedAt ?? now)}${state.lastError ? `: ${state.lastError}` : ''}.`,
  });
}
