import type { Severity } from '../mesh/types.js';

export const ALERT_KINDS = [
  'degraded',
  'unhealthy',
  'recovery_started',
  'recovery_failed',
  'recovered',
  'down_too_long',
  'restart_loop',
  'mesh_down',
  'monitor_stalled',
  'misconfigured',
  'gpu_fallback',
  'stuck_model',
  'flapping',
  'mass_failure',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITY: Record<AlertKind, Severity> = {
  degraded: 'WARNING',
  unhealthy: 'ERROR',
  recovery_started: 'INFO',
  recovery_failed: 'CRITICAL',
  recovered: 'INFO',
  down_too_long: 'CRITICAL',
  restart_loop: 'CRITICAL',
  mesh_down: 'CRITICAL',
  monitor_stalled: 'ERROR',
  misconfigured: 'ERROR',
  gpu_fallback: 'WARNING',
  stuck_model: 'WARNING',
  flapping: 'WARNING',
  mass_failure: 'CRITICAL',
};

/** An alert, exactly as the JSON shape of docs/http-api.md (webhook body, `/api/alerts`). */
export interface Alert {
  id: string;
  at: string;
  severity: Severity;
  kind: AlertKind;
  /** null for mesh-wide kinds (mesh_down, mass_failure). */
  nodeId: string | null;
  incidentId: string | null;
  title: string;
  message: string;
}
