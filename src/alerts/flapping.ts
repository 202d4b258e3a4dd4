/**
 * Flapping (pure): a node whose status changed more than `changes` times within `window` is
 * flapping. One `flapping` alert starts an episode; while it lasts, the node's WARNING and ERROR
 * alerts are held; it ends once the node has kept one status for a whole window.
 */
import type { MeshConfig } from '../config/types.js';
import { formatDuration, nodeLabel } from './message-text.js';
import { type AlertNode, makeAlert } from './rules.js';
import type { Alert } from './types.js';

export type FlappingConfig = MeshConfig['alerts']['flapping'];

/** A node's flapping episode, as kept in Redis while it lasts. */
export interface FlappingEpisode {
  /** When the change that made it flapping happened. */
  since: number;
}

/** How many of `changeTimes` fall within the window that ends at `at` (the window is half-open: (at - window, at]). */
export function changesWithin(changeTimes: readonly number[], at: number, window: number): number {
  return changeTimes.filter((time) => time > at - window && time <= at).length;
}

export function isFlapping(changeTimes: readonly number[], at: number, config: FlappingConfig): boolean {
  return changesWithin(changeTimes, at, config.window) > config.changes;
}

/** Whether a flapping node has kept its status for a whole window since its last change. */
export function flappingSettled(lastChangeAt: number, now: number, config: FlappingConfig): boolean {
  return now - lastChangeAt >= config.window;
}

export function flappingAlert(
  node: AlertNode,
  at: number,
  changes: number,
  incidentId: string | null,
  config: FlappingConfig,
): Alert {
  const who = nodeLabel(node);
  const window = formatDuration(config.window);
  return makeAlert('flapping', {
    id: `${node.id}:flapping:${at}`,
    at,
    nodeId: node.id,
    incidentId,
    title: `${who} is flapping`,
    message:
      `${who} changed status ${changes} times within ${window}. Its WARNING and ERROR alerts are held ` +
      `until it keeps one status for ${window}.`,
  });
}
