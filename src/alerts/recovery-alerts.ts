/**
 * Alerts for what the recovery side reports (pure): a recovery job's start, its last failed
 * attempt, a restart loop, and a node whose checks stopped happening. The shapes are those
 * `src/jobs/recovery.ts` and `src/jobs/sweep.ts` report, written out here so that the alert
 * rules depend on nothing above them.
 */

import { formatDuration, isoTime, nodeLabel } from './message-text.js';
import { type AlertNode, makeAlert } from './rules.js';
import type { Alert } from './types.js';

export interface RecoveryEventLike {
  kind: 'recovery_started' | 'recovery_failed' | 'restart_loop';
  node: AlertNode;
  incidentId: string | null;
  /** One run of a recovery job (a person's retry is another run). */
  runId: string;
  message: string;
}

const TITLES: Record<RecoveryEventLike['kind'], string> = {
  recovery_started: 'recovery started',
  recovery_failed: 'recovery failed',
  restart_loop: 'is in a restart loop: automatic recovery stopped',
};

/** One alert per event and run: a person's retry of a recovery alerts again, a redelivered event does not. */
export function recoveryEventAlert(event: RecoveryEventLike, at: number): Alert {
  const who = nodeLabel(event.node);
  const title =
    event.kind === 'restart_loop' ? `${who} ${TITLES[event.kind]}` : `${who}: ${TITLES[event.kind]}`;
  return makeAlert(event.kind, {
    id: `${event.incidentId ?? event.node.id}:${event.kind}:${event.runId}`,
    at,
    nodeId: event.node.id,
    incidentId: event.incidentId,
    title,
    message: event.message,
  });
}

export interface StalledLike {
  node: AlertNode;
  lastCheckAt: number;
  silentForMs: number;
}

/** One `monitor_stalled` per stall: its id names the last check before the silence. */
export function stalledAlert(stalled: StalledLike): Alert {
  const who = nodeLabel(stalled.node);
  return makeAlert('monitor_stalled', {
    id: `${stalled.node.id}:monitor_stalled:${stalled.lastCheckAt}`,
    at: stalled.lastCheckAt + stalled.silentForMs,
    nodeId: stalled.node.id,
    incidentId: null,
    title: `Checks of ${who} stopped`,
    message:
      `${who} was last checked at ${isoTime(stalled.lastCheckAt)}, ${formatDuration(stalled.silentForMs)} ago: ` +
      'its checks are not happening (no worker running, a lost schedule, or Redis trouble).',
  });
}
