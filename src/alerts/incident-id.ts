/** Incident ids: a node's is `<node id>:<epoch ms>`, a mesh-wide one's `mesh:<epoch ms>` (pure). */

/** When an incident started: the epoch ms its id ends with (`<node>:<ms>`, `mesh:<ms>`), or null. */
export function incidentStart(incidentId: string | null): number | null {
  if (incidentId === null) return null;
  const ms = Number(incidentId.slice(incidentId.lastIndexOf(':') + 1));
  return Number.isSafeInteger(ms) ? ms : null;
}

/** What the id of a mesh-wide incident starts with. */
export const MESH_INCIDENT_PREFIX = 'mesh:';

/** The id of a mesh-wide incident (mass failure, mesh down) that started at `ms`. */
export function meshIncidentId(ms: number): string {
  return `${MESH_INCIDENT_PREFIX}${ms}`;
}
