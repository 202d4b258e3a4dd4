/**
 * A node's incidents as its alert history tells them (the dashboard's node detail): the alerts that
 * share an incident id (`<node>:<epoch ms of the first failure>`, docs/alerts.md) make one
 * incident, which starts at that first failure and ends with its `recovered` alert.
 */
import type { Alert } from './types.js';

export interface Incident {
  id: string;
  start: number;
  /** The `recovered` alert's time; null while it lasts, or when its end is older than the history. */
  end: number | null;
  /** The node's current incident: it has not ended. */
  ongoing: boolean;
  alerts: number;
  /** `recovery_started` alerts: automatic recovery attempts. */
  recoveryAttempts: number;
}

/** The node's incidents among `alerts` (any order), newest first; `current` is the node's `incidentId`. */
export function nodeIncidents(alerts: readonly Alert[], nodeId: string, current: string | null): Incident[] {
  const byId = new Map<string, Incident>();
  for (const alert of alerts) {
    if (alert.nodeId !== nodeId || alert.incidentId === null) continue;
    const incident = byId.get(alert.incidentId) ?? newIncident(alert.incidentId);
    byId.set(alert.incidentId, incident);
    incident.alerts += 1;
    if (alert.kind === 'recovery_started') incident.recoveryAttempts += 1;
    if (alert.kind === 'recovered') incident.end = Math.max(incident.end ?? 0, Date.parse(alert.at));
  }
  for (const incident of byId.values()) incident.ongoing = incident.id === current && incident.end === null;
  return [...byId.values()].sort((a, b) => b.start - a.start);
}

function newIncident(id: string): Incident {
  const start = Number(id.slice(id.lastIndexOf(':') + 1));
  return { id, start, end: null, ongoing: false, alerts: 0, recoveryAttempts: 0 };
}
