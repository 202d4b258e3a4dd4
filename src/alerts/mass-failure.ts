/**
 * Mass failure (pure): at least `massFailure.ratio` of the enabled nodes (and at least
 * `massFailure.minNodes` of them in the mesh) start failing within one check interval. Such an
 * episode raises ONE `mass_failure` naming every node in it, instead of each node's own
 * degraded / unhealthy / misconfigured / down_too_long alerts, which are folded into it.
 *
 * Nodes are checked at different moments of their interval, so the last node of a mass failure
 * may start failing almost an interval after the first: who is in an episode is only known a
 * `holdMs` after its first failure, and alerts that an episode could fold wait that long.
 *
 * The book is one small document in Redis, changed with compare-and-set (`versioned-doc.ts`).
 */
import type { MeshConfig } from '../config/types.js';
import { makeAlert } from './rules.js';
import type { Alert } from './types.js';
import { formatDuration, meshIncidentId } from './words.js';

/** The start of a node's run of failures (its incident's first failure). */
export interface FailureStart {
  nodeId: string;
  since: number;
}

export interface MassMember {
  nodeId: string;
  /** The node's incident folded into the episode. */
  incidentId: string;
}

export interface MassEpisode {
  /** `mesh:<epoch ms of its first failure>`: the episode's alerts carry it as their incident id. */
  id: string;
  start: number;
  members: MassMember[];
  /** Whether its `mass_failure` alert has been raised. */
  alerted: boolean;
}

export interface MassBook {
  /** The latest failure start of each node that failed recently. */
  failures: FailureStart[];
  episodes: MassEpisode[];
}

export interface MassSettings {
  /** "At once": one check interval, and a quarter more for scheduling jitter. */
  windowMs: number;
  /** From an episode's first failure until who is in it is known: window + check timeout + settle time. */
  holdMs: number;
  ratio: number;
  minNodes: number;
  repeatEvery: number;
}

/** Time for the last check of a window to be written and its transition recorded. */
const SETTLE_MS = 250;

export function massSettings(config: MeshConfig): MassSettings {
  const windowMs = Math.round(config.checks.interval * 1.25);
  return {
    windowMs,
    holdMs: windowMs + config.checks.timeout + SETTLE_MS,
    ratio: config.alerts.massFailure.ratio,
    minNodes: config.alerts.massFailure.minNodes,
    repeatEvery: config.alerts.repeatEvery,
  };
}

export function emptyBook(): MassBook {
  return { failures: [], episodes: [] };
}

/**
 * How many nodes failing at once make a mass failure, or null when the mesh is smaller than
 * `minNodes`. Never fewer than 2: one node failing is never "mass".
 */
export function massThreshold(
  enabledNodes: number,
  settings: Pick<MassSettings, 'ratio' | 'minNodes'>,
): number | null {
  if (enabledNodes < settings.minNodes) return null;
  return Math.max(2, Math.ceil(settings.ratio * enabledNodes - 1e-9));
}

/**
 * Records that a node started failing. It joins an episode that started within one window of
 * it, or starts one when, counting it, the threshold of nodes failed within the window that
 * ends with it. Recording the same failure twice changes nothing.
 */
export function recordFailureStart(
  book: MassBook,
  start: FailureStart,
  enabledNodes: number,
  settings: MassSettings,
): { book: MassBook; episode: MassEpisode | null } {
  const incidentId = `${start.nodeId}:${start.since}`;
  const newest = Math.max(start.since, ...book.failures.map((failure) => failure.since));
  const failures = book.failures
    .filter((failure) => failure.nodeId !== start.nodeId && failure.since >= newest - 4 * settings.windowMs)
    .concat(start);
  const near = book.episodes.find((episode) => Math.abs(start.since - episode.start) <= settings.windowMs);
  if (near) {
    const joined = near.members.some((member) => member.incidentId === incidentId)
      ? near
      : { ...near, members: [...near.members, { nodeId: start.nodeId, incidentId }] };
    return {
      book: { failures, episodes: book.episodes.map((e) => (e === near ? joined : e)) },
      episode: joined,
    };
  }
  const threshold = massThreshold(enabledNodes, settings);
  const inWindow = failures.filter(
    (failure) => failure.since >= start.since - settings.windowMs && failure.since <= start.since,
  );
  if (threshold === null || inWindow.length < threshold)
    return { book: { ...book, failures }, episode: null };
  const first = Math.min(...inWindow.map((failure) => failure.since));
  const episode: MassEpisode = {
    id: meshIncidentId(first),
    start: first,
    members: inWindow.map((failure) => ({
      nodeId: failure.nodeId,
      incidentId: `${failure.nodeId}:${failure.since}`,
    })),
    alerted: false,
  };
  return { book: { failures, episodes: [...book.episodes, episode] }, episode };
}

/** The episode an incident's alerts are folded into, or null. */
export function foldedInto(book: MassBook, incidentId: string | null): string | null {
  if (incidentId === null) return null;
  const episode = book.episodes.find((e) => e.members.some((member) => member.incidentId === incidentId));
  return episode?.id ?? null;
}

export interface MassReview {
  /** The book to write back, or null when nothing changed. */
  book: MassBook | null;
  /** Alerts to raise only if `book` is written by this review (first alert, end of an episode). */
  once: Alert[];
  /** Repeats: deterministic ids, raised by any review that sees them due. */
  repeats: Alert[];
}

/**
 * Reviews the episodes at `now`: raises an episode's `mass_failure` once its hold is over,
 * repeats it every `repeatEvery` while any of its nodes is still in its incident, and ends it with
 * a mesh-wide `recovered` once all of them are back.
 */
export function reviewMassFailures(
  book: MassBook,
  openIncidents: ReadonlySet<string>,
  nameOf: (nodeId: string) => string,
  enabledNodes: number,
  now: number,
  settings: MassSettings,
): MassReview {
  const once: Alert[] = [];
  const repeats: Alert[] = [];
  const kept: MassEpisode[] = [];
  let changed = false;
  for (const episode of book.episodes) {
    const alertAt = episode.start + settings.holdMs;
    const down = episode.members.filter((member) => openIncidents.has(member.incidentId));
    if (!episode.alerted) {
      if (now >= alertAt) {
        once.push(massFailureAlert(episode, alertAt, nameOf, enabledNodes, settings));
        kept.push({ ...episode, alerted: true });
        changed = true;
      } else {
        kept.push(episode);
      }
    } else if (down.length === 0) {
      once.push(massRecoveredAlert(episode, now));
      changed = true;
    } else {
      kept.push(episode);
      const n = Math.floor((now - alertAt) / settings.repeatEvery);
      if (n >= 1) repeats.push(massRepeatAlert(episode, down, alertAt + n * settings.repeatEvery, n, nameOf));
    }
  }
  return { book: changed ? { ...book, episodes: kept } : null, once, repeats };
}

function names(members: readonly MassMember[], nameOf: (nodeId: string) => string): string {
  return members.map((member) => `${nameOf(member.nodeId)} (${member.nodeId})`).join(', ');
}

function massFailureAlert(
  episode: MassEpisode,
  at: number,
  nameOf: (nodeId: string) => string,
  enabledNodes: number,
  settings: MassSettings,
): Alert {
  const count = episode.members.length;
  return makeAlert('mass_failure', {
    id: `${episode.id}:mass_failure`,
    at,
    nodeId: null,
    incidentId: episode.id,
    title: `Mass failure: ${count} of ${enabledNodes} nodes failed at once`,
    message:
      `${count} of ${enabledNodes} nodes started failing within ${formatDuration(settings.windowMs)}: ` +
      `${names(episode.members, nameOf)}. The fault may be the network's or ours rather than the nodes'; ` +
      'their own degraded and unhealthy alerts are folded into this one.',
  });
}

function massRepeatAlert(
  episode: MassEpisode,
  down: readonly MassMember[],
  at: number,
  n: number,
  nameOf: (nodeId: string) => string,
): Alert {
  return makeAlert('mass_failure', {
    id: `${episode.id}:mass_failure:${n}`,
    at,
    nodeId: null,
    incidentId: episode.id,
    title: `Mass failure still going on after ${formatDuration(at - episode.start)}`,
    message:
      `${down.length} of the ${episode.members.length} nodes that failed at once are still down after ` +
      `${formatDuration(at - episode.start)}: ${names(down, nameOf)}.`,
  });
}

function massRecoveredAlert(episode: MassEpisode, now: number): Alert {
  return makeAlert('recovered', {
    id: `${episode.id}:recovered`,
    at: now,
    nodeId: null,
    incidentId: episode.id,
    title: 'Mass failure over: every node is back',
    message: `All ${episode.members.length} nodes that failed at once are healthy again, ${formatDuration(now - episode.start)} after the first failed.`,
  });
}
