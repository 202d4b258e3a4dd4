/**
 * The alerts of a mass-failure episode (pure): its `mass_failure`, the repeats of it while nodes
 * are still down, and its mesh-wide `recovered`. Nodes are counted and named once each, in
 * mesh.yaml order, however many incidents a node had in the episode.
 */

import { formatDuration } from './message-text.js';
import { makeAlert } from './rules.js';
import type { Alert } from './types.js';

/** An episode as its alerts name it: `mesh:<ms>` and the epoch ms of its first failure. */
interface EpisodeRef {
  id: string;
  start: number;
}

/** Node id -> name, in mesh.yaml order. */
type NodeNames = ReadonlyMap<string, string>;

export function massFailureAlert(
  episode: EpisodeRef,
  nodeIds: readonly string[],
  at: number,
  enabledNodes: number,
  windowMs: number,
  nodes: NodeNames,
): Alert {
  const count = nodeIds.length;
  return makeAlert('mass_failure', {
    id: `${episode.id}:mass_failure`,
    at,
    nodeId: null,
    incidentId: episode.id,
    title: `Mass failure: ${count} of ${enabledNodes} nodes failed at once`,
    message:
      `${count} of ${enabledNodes} nodes started failing within ${formatDuration(windowMs)}: ` +
      `${names(nodeIds, nodes)}. The fault may be the network's or ours rather than the nodes'; ` +
      'their own degraded and unhealthy alerts are folded into this one.',
  });
}

export function massRepeatAlert(
  episode: EpisodeRef,
  total: number,
  down: readonly string[],
  at: number,
  n: number,
  nodes: NodeNames,
): Alert {
  return makeAlert('mass_failure', {
    id: `${episode.id}:mass_failure:${n}`,
    at,
    nodeId: null,
    incidentId: episode.id,
    title: `Mass failure still going on after ${formatDuration(at - episode.start)}`,
    message:
      `${down.length} of the ${total} nodes that failed at once are still down after ` +
      `${formatDuration(at - episode.start)}: ${names(down, nodes)}.`,
  });
}

export function massRecoveredAlert(episode: EpisodeRef, total: number, now: number): Alert {
  return makeAlert('recovered', {
    id: `${episode.id}:recovered`,
    at: now,
    nodeId: null,
    incidentId: episode.id,
    title: 'Mass failure over: every node is back',
    message: `All ${total} nodes that failed at once are healthy again, ${formatDuration(now - episode.start)} after the first failed.`,
  });
}

/** `Name (id), ...` in mesh.yaml order; nodes no longer configured come last, by id. */
function names(nodeIds: readonly string[], nodes: NodeNames): string {
  const order = new Map([...nodes.keys()].map((id, index) => [id, index]));
  const rank = (id: string) => order.get(id) ?? order.size;
  return [...nodeIds]
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((id) => `${nodes.get(id) ?? id} (${id})`)
    .join(', ');
}
