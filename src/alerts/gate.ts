/**
 * Whether an alert is delivered when its `alerts` job runs (pure). An alert is held while its
 * node is flapping, or folded into a mass failure that names its node; either way it is not
 * recorded nor sent, and its job in Bull Board says why.
 */
import type { Alert, AlertKind } from './types.js';

/** What is true of an alert's node and incident when its job runs. */
export interface AlertFacts {
  /** The node is in a flapping episode. */
  flapping: boolean;
  /** The mass-failure episode the alert's incident belongs to, or null. */
  foldedInto: string | null;
  /** Some alert of the alert's incident was already delivered (to any channel, the log included). */
  incidentAnnounced: boolean;
}

export type GateVerdict = { deliver: true } | { deliver: false; reason: string };

/** Per-node kinds that a mass failure replaces. */
const FOLDED_KINDS: ReadonlySet<AlertKind> = new Set([
  'degraded',
  'unhealthy',
  'misconfigured',
  'down_too_long',
]);

/**
 * - An alert of an incident folded into a mass failure is not sent (the mass failure names the node);
 *   its node's `recovered` still reaches the log, and the mass failure ends with its own `recovered`.
 * - While a node flaps, its WARNING and ERROR alerts are held, and so is a `recovered` of an incident
 *   nobody was told about. The `flapping` alert itself and CRITICALs always go through.
 */
export function gateAlert(alert: Alert, facts: AlertFacts): GateVerdict {
  if (alert.nodeId === null) return { deliver: true };
  if (facts.foldedInto !== null && FOLDED_KINDS.has(alert.kind)) {
    return { deliver: false, reason: `folded into mass failure ${facts.foldedInto}` };
  }
  if (facts.flapping && alert.kind !== 'flapping') {
    if (alert.severity === 'WARNING' || alert.severity === 'ERROR') {
      return { deliver: false, reason: `held: ${alert.nodeId} is flapping` };
    }
    if (alert.kind === 'recovered' && !facts.incidentAnnounced) {
      return {
        deliver: false,
        reason: `held: ${alert.nodeId} is flapping and its incident was never announced`,
      };
    }
  }
  return { deliver: true };
}
