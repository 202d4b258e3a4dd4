/**
 * Where alerting keeps its state in Redis, all under `<prefix>:alerting:` — never under
 * `<prefix>:alerts:`, which is the `alerts` queue's own key space in BullMQ.
 */
import { notHealthyKey } from '../mesh/store.js';

export function alertingKeys(prefix: string) {
  const base = `${prefix}:alerting`;
  return {
    /** Sorted set of delivered alerts (JSON members, scored by `at`): `AlertHistory`. */
    history: `${base}:history`,
    /** Set of the channels an incident's alerts were routed to (TTL). */
    incidentChannels: (incidentId: string) => `${base}:incident:${incidentId}:channels`,
    /** Present once an incident's `recovered` was routed: later alerts of it are stale (TTL). */
    incidentClosed: (incidentId: string) => `${base}:incident:${incidentId}:closed`,
    /** List of what was tried in an incident (recovery attempts), for its `recovered` (TTL). */
    incidentTried: (incidentId: string) => `${base}:incident:${incidentId}:tried`,
    /** Sorted set of a node's recent status-change times (flapping). */
    changes: (nodeId: string) => `${base}:changes:${nodeId}`,
    /** A node's flapping episode (JSON `{since}`), while it lasts. */
    flapping: (nodeId: string) => `${base}:flapping:${nodeId}`,
    /** Sorted set of failure starts in no mass-failure episode: node id, scored by `since`. */
    massFailures: `${base}:mass:failures`,
    /** Sorted set of the mass-failure episodes not over yet: episode id, scored by its start. */
    massEpisodes: `${base}:mass:episodes`,
    /** Sorted set of the incidents folded into an episode, scored by their start (until it ends). */
    massMembers: (episodeId: string) => `${base}:mass:members:${episodeId}`,
    /** The episode an incident is folded into (kept `FOLDED_RETAIN_MS` after the episode ended). */
    massFolded: (incidentId: string) => `${base}:mass:folded:${incidentId}`,
    /** The start (epoch ms) of the current mesh_down episode. */
    meshDown: `${base}:mesh-down`,
    /** Marks an alert id as delivered, so a re-emitted copy is never sent twice (TTL). */
    seen: (alertId: string) => `${base}:seen:${alertId}`,
    /** The channel alerts and node changes are published on for the dashboard's SSE (docs/http-api.md: `node`, `alert`). */
    events: `${prefix}:events`,
    /** The node store's hash of nodes not healthy (node id -> status), read to tell a lone failure. */
    statuses: notHealthyKey(prefix),
  };
}

export type AlertingKeys = ReturnType<typeof alertingKeys>;
