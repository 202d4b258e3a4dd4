/** Recovery events and stalled monitors as log lines, at their severity (docs/alerts.md). */
import { ALERT_SEVERITY } from '../alerts/types.js';
import type { StalledNode } from '../jobs/keepalive.js';
import type { RecoveryEvent } from '../jobs/recovery.js';
import { type Logger, logAtSeverity } from '../runtime/logger.js';

export function logRecoveryEvent(logger: Logger, event: RecoveryEvent): void {
  logAtSeverity(
    logger,
    ALERT_SEVERITY[event.kind],
    { node: event.node.id, kind: event.kind, incidentId: event.incidentId },
    event.message,
  );
}

export function logStalled(logger: Logger, stalled: StalledNode): void {
  logAtSeverity(
    logger,
    ALERT_SEVERITY.monitor_stalled,
    {
      node: stalled.node.id,
      kind: 'monitor_stalled',
      lastCheckAt: new Date(stalled.lastCheckAt).toISOString(),
    },
    `checks of ${stalled.node.id} stopped: last one ${Math.round(stalled.silentForMs / 1000)} s ago`,
  );
}
