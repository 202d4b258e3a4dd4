/** One log line per status change, at the severity docs/alerts.md gives it. */
import type { NodeConfig } from '../config/types.js';
import type { Transition } from '../mesh/state.js';
import type { Severity } from '../mesh/types.js';
import { type Logger, logAtSeverity } from '../runtime/logger.js';

export function transitionSeverity(transition: Transition): Severity {
  switch (transition.to) {
    case 'degraded':
      return 'WARNING';
    case 'unhealthy':
      return 'ERROR';
    case 'healthy':
    case 'recovering':
    case 'unknown':
      return 'INFO';
  }
}

export function describeTransition(node: NodeConfig, transition: Transition): string {
  const who = `${node.name} (${node.id})`;
  if (transition.to === 'healthy' && transition.downMs !== null) {
    return `${who} is healthy again after ${Math.round(transition.downMs / 1000)} s down`;
  }
  if (transition.to === 'unhealthy' && transition.misconfigured) {
    return `${who} is misconfigured: ${transition.error}`;
  }
  const cause = transition.error ? `: ${transition.error}` : '';
  return `${who} is ${transition.to} (was ${transition.from})${cause}`;
}

export function logTransition(logger: Logger, node: NodeConfig, transition: Transition): void {
  logAtSeverity(
    logger,
    transitionSeverity(transition),
    { node: node.id, from: transition.from, to: transition.to, incidentId: transition.incidentId },
    describeTransition(node, transition),
  );
}
