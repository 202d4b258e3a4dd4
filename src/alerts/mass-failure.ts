/**
 * Mass failure (pure): at least `massFailure.ratio` of the enabled nodes (and at least
 * `massFailure.minNodes` of them in the mesh) start failing within one check interval. Such an
 * episode raises ONE `mass_failure` naming every node in it, instead of each node's own
 * degraded / unhealthy / misconfigured / down_too_long alerts, which are folded into it.
 *
 * Nodes are checked at different moments of their interval, so the last node of a mass failure
 * may start failing almost an interval after the first: who is in an episode is only known a
 * `holdMs` after its first failure. Only a node that starts failing while another one is failing
 * (within one window before it) can be folded, and only its alerts wait that long; a node that
 * starts failing alone is alerted at once (`failingBefore`), so a lone crash reaches people as
 * fast as it is detected, and a mass failure sends at most the first node's alerts before its own.
 *
 * This module decides; `mass-store.ts` keeps the book in Redis, where recording a failure start
 * is one Lua script doing what `recordFailureStart` does (many nodes fail at the same moment, and
 * none may be dropped), and where an incident stays folded after its episode ended.
 */
import type { MeshConfig } from '../config/types.js';
import { meshIncidentId } from './incident-id.js';
import { massFailureAlert, massRecoveredAlert, massRepeatAlert } from './mass-alerts.js';
import type { Alert } from './types.js';

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
  /**
   * The incidents folded into it, by failure start (then incident id). A node that failed again
   * within the window has two; the episode counts nodes, not incidents.
   */
  members: MassMember[];
}

export interface MassBook {
  /** Failure starts in no episode: the latest of each node that failed recently, by time (then node id). */
  failures: FailureStart[];
  /** Episodes not over yet, by start. */
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

/**
 * How long an incident stays folded into its episode, however long ago the episode ended: its
 * own alerts may be processed after the end (they wait for their own hold), and an incident can
 * outlast its episode's window by far. As long as an incident's routing is remembered.
 */
export const FOLDED_RETAIN_MS = 30 * 24 * 3600 * 1000;

/** Failure starts in no episode are kept this many windows after the newest one. */
export const FAILURES_KEPT_WINDOWS = 4;

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

/** `<node>:<epoch ms>`, the incident a failure start opened. */
export function incidentOfStart(start: FailureStart): string {
  return `${start.nodeId}:${start.since}`;
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
 * Records that a node started failing (`threshold`: `massThreshold` of the mesh, null for none).
 * - An incident already in an episode changes nothing (the same failure recorded twice).
 * - It joins the earliest episode not over yet that started within one window of it.
 * - Otherwise it becomes the node's failure start in no episode (replacing the node's older one),
 *   and starts an episode of every such start within the window that ends with it, when there are
 *   at least `threshold` of them: one per node, so a node is never counted twice.
 * A failure start belongs to one episode at most. `mass-store.ts` does the same in one Lua script.
 */
export function recordFailureStart(
  book: MassBook,
  start: FailureStart,
  threshold: number | null,
  windowMs: number,
): { book: MassBook; episode: MassEpisode | null } {
  const incidentId = incidentOfStart(start);
  const holder = book.episodes.find((e) => e.members.some((member) => member.incidentId === incidentId));
  if (holder) return { book, episode: holder };
  const near = book.episodes.find((episode) => Math.abs(start.since - episode.start) <= windowMs);
  if (near) {
    const joined = { ...near, members: byStart([...near.members, { nodeId: start.nodeId, incidentId }]) };
    return {
      book: {
        failures: book.failures.filter((failure) => failure.nodeId !== start.nodeId),
        episodes: book.episodes.map((e) => (e === near ? joined : e)),
      },
      episode: joined,
    };
  }
  const newest = Math.max(start.since, ...book.failures.map((failure) => failure.since));
  const keptFrom = newest - FAILURES_KEPT_WINDOWS * windowMs;
  const failures = book.failures
    .filter((failure) => failure.nodeId !== start.nodeId && failure.since >= keptFrom)
    .concat(start)
    .sort((a, b) => a.since - b.since || compare(a.nodeId, b.nodeId));
  const inWindow = failures.filter(
    (failure) => failure.since >= start.since - windowMs && failure.since <= start.since,
  );
  const first = inWindow[0];
  if (threshold === null || first === undefined || inWindow.length < threshold)
    return { book: { ...book, failures }, episode: null };
  const episode: MassEpisode = {
    id: meshIncidentId(first.since),
    start: first.since,
    members: byStart(
      inWindow.map((failure) => ({ nodeId: failure.nodeId, incidentId: incidentOfStart(failure) })),
    ),
  };
  return {
    book: {
      failures: failures.filter((failure) => !inWindow.includes(failure)),
      episodes: [...book.episodes, episode].sort((a, b) => a.start - b.start || compare(a.id, b.id)),
    },
    episode,
  };
}

/**
 * Who failed before `start` (within one window before it; ties broken by node id): an episode
 * near it, or the nodes whose failure starts in no episode came first. The caller holds `start`'s
 * alerts when there is an episode, or when one of those nodes is still failing.
 */
export function failingBefore(
  book: MassBook,
  start: FailureStart,
  windowMs: number,
): { episodeNear: boolean; nodeIds: string[] } {
  const episodeNear = book.episodes.some((episode) => Math.abs(start.since - episode.start) <= windowMs);
  const nodeIds = book.failures
    .filter(
      (failure) =>
        failure.nodeId !== start.nodeId &&
        failure.since >= start.since - windowMs &&
        (failure.since < start.since ||
          (failure.since === start.since && compare(failure.nodeId, start.nodeId) < 0)),
    )
    .map((failure) => failure.nodeId);
  return { episodeNear, nodeIds };
}

/** The episode (not over yet) an incident's alerts are folded into, or null. */
export function foldedInto(book: MassBook, incidentId: string | null): string | null {
  if (incidentId === null) return null;
  const episode = book.episodes.find((e) => e.members.some((member) => member.incidentId === incidentId));
  return episode?.id ?? null;
}

/** The distinct nodes of an episode, each once, in member order. */
export function memberNodes(episode: MassEpisode): string[] {
  return [...new Set(episode.members.map((member) => member.nodeId))];
}

/** What the review needs besides the book. */
export interface MassFacts {
  /** Incidents going on now. */
  openIncidents: ReadonlySet<string>;
  /** Episodes whose `mass_failure` was routed (some channel has its incident on record). */
  announced: ReadonlySet<string>;
  /** Every node of the mesh, id -> name, in mesh.yaml order (the order alerts name nodes in). */
  nodes: ReadonlyMap<string, string>;
  enabledNodes: number;
  now: number;
}

export interface MassReview {
  /**
   * Alerts any review raises while they are due, under deterministic ids: an episode's
   * `mass_failure` from the end of its hold until it is routed, then its repeats.
   */
  alerts: Alert[];
  /**
   * Episodes over (every node back, and their `mass_failure` routed): end each with one atomic
   * operation; only the caller that ended it raises its mesh-wide `recovered`.
   */
  endings: { episode: MassEpisode; alert: Alert }[];
}

/**
 * Reviews the episodes not over yet: raises an episode's `mass_failure` once its hold is over,
 * repeats it every `repeatEvery` while any of its nodes is still in its incident, and ends it with
 * a mesh-wide `recovered` once all of them are back — never before its `mass_failure` was routed,
 * so the `recovered` cannot overtake it.
 */
export function reviewMassFailures(book: MassBook, facts: MassFacts, settings: MassSettings): MassReview {
  const alerts: Alert[] = [];
  const endings: MassReview['endings'] = [];
  for (const episode of book.episodes) {
    const alertAt = episode.start + settings.holdMs;
    if (facts.now < alertAt) continue;
    const nodeIds = memberNodes(episode);
    if (!facts.announced.has(episode.id)) {
      alerts.push(
        massFailureAlert(episode, nodeIds, alertAt, facts.enabledNodes, settings.windowMs, facts.nodes),
      );
      continue;
    }
    const down = [
      ...new Set(
        episode.members
          .filter((member) => facts.openIncidents.has(member.incidentId))
          .map((member) => member.nodeId),
      ),
    ];
    if (down.length === 0) {
      endings.push({ episode, alert: massRecoveredAlert(episode, nodeIds.length, facts.now) });
      continue;
    }
    const n = Math.floor((facts.now - alertAt) / settings.repeatEvery);
    if (n >= 1) {
      const at = alertAt + n * settings.repeatEvery;
      alerts.push(massRepeatAlert(episode, nodeIds.length, down, at, n, facts.nodes));
    }
  }
  return { alerts, endings };
}

/**
 * When `reviewMassFailures` can next give something new while no state changes: an episode's
 * hold ending, or its next repeat. An episode whose `mass_failure` is due but not routed yet is
 * looked at again at once (`now`: the caller's next step), since routing it changes nothing the
 * review reads a state change from. Null with no episode going on.
 */
export function nextMassReviewAt(book: MassBook, facts: MassFacts, settings: MassSettings): number | null {
  const times: number[] = [];
  for (const episode of book.episodes) {
    const alertAt = episode.start + settings.holdMs;
    if (facts.now < alertAt) times.push(alertAt);
    else if (!facts.announced.has(episode.id)) times.push(facts.now);
    else if (episode.members.some((member) => facts.openIncidents.has(member.incidentId)))
      times.push(
        alertAt + (Math.floor((facts.now - alertAt) / settings.repeatEvery) + 1) * settings.repeatEvery,
      );
  }
  return times.length === 0 ? null : Math.min(...times);
}

function byStart(members: MassMember[]): MassMember[] {
  return members.sort(
    (a, b) => sinceOf(a.incidentId) - sinceOf(b.incidentId) || compare(a.incidentId, b.incidentId),
  );
}

function sinceOf(incidentId: string): number {
  return Number(incidentId.slice(incidentId.lastIndexOf(':') + 1));
}

/** Plain code-unit order, as Redis sorts equal scores (ids are ASCII). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
