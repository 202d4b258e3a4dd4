/**
 * Turns what a check changed into alerts, once per state change (the health-check job calls it
 * after its winning state write): logs each transition once, notes each status change for
 * flapping, each start of failure for mass failures (one atomic Redis step, however many nodes
 * fail at once), and raises the alerts the rules give. When the mesh is large enough for a mass
 * failure, the alerts of an incident that started while another node was failing wait until one
 * could have been recognised (`holdMs` after its first failure); the `alerts` job then decides
 * whether to fold them into it. An incident that started alone is alerted at once.
 */
import type { MeshConfig, NodeConfig } from '../config/types.js';
import type { Transition } from '../mesh/state.js';
import type { SoftSignal } from '../mesh/types.js';
import type { AlertingState } from './alerting-state.js';
import { changesWithin, flappingAlert, isFlapping } from './flapping.js';
import { incidentStart } from './incident-id.js';
import { massSettings, massThreshold } from './mass-failure.js';
import { countsAsChange, opensIncident, signalAlerts, transitionAlerts } from './rules.js';
import type { Alert } from './types.js';

export interface EmitDeps {
  config(): MeshConfig;
  state: Pick<
    AlertingState,
    'recordChange' | 'startFlapping' | 'recordFailureStart' | 'othersFailing' | 'tried'
  >;
  isSilenced(nodeId: string): Promise<boolean>;
  now(): number;
  /** Enqueues alerts on the `alerts` queue, not to run before `notBefore` (epoch ms) when given. */
  raise(alerts: readonly Alert[], notBefore?: number): Promise<void>;
  /**
   * Writes the transition's state-change line: `covered` when an alert of it will be written to
   * the log (the log line of that alert is then the one an operator reads, so this one goes to debug).
   */
  logTransition(node: NodeConfig, transition: Transition, covered: boolean): void;
}

export type Emit = (
  node: NodeConfig,
  transitions: readonly Transition[],
  signals: readonly SoftSignal[],
) => Promise<void>;

export function createEmitter(deps: EmitDeps): Emit {
  return async (node, transitions, signals) => {
    // Most checks change nothing an alert is about; the rest of this is per mesh size.
    if (transitions.length === 0 && signals.length === 0) return;
    const config = deps.config();
    const enabled = config.nodes.filter((candidate) => candidate.enabled).length;
    const mass = massSettings(config);
    const threshold = massThreshold(enabled, mass);
    const massPossible = threshold !== null;
    const who = { id: node.id, name: node.name };
    for (const transition of transitions) {
      if (countsAsChange(transition)) await noteChange(deps, config, who, transition);
      const since = incidentStart(transition.incidentId);
      const start = since === null ? null : { nodeId: node.id, since };
      if (massPossible && start !== null && opensIncident(transition) && !(await deps.isSilenced(node.id))) {
        await deps.state.recordFailureStart(start, threshold, mass.windowMs);
      }
      const closes =
        transition.to === 'healthy' && transition.downMs !== null && transition.incidentId !== null;
      const tried =
        closes && transition.incidentId !== null ? await deps.state.tried(transition.incidentId) : [];
      const alerts = transitionAlerts(who, transition, tried);
      deps.logTransition(node, transition, alerts.length > 0);
      const hold =
        massPossible &&
        start !== null &&
        alerts.length > 0 &&
        (await deps.state.othersFailing(start, mass.windowMs));
      await deps.raise(alerts, hold && start !== null ? start.since + mass.holdMs : undefined);
    }
    if (signals.length > 0) await deps.raise(signalAlerts(who, signals, deps.now(), null));
  };
}

/** Records a status change; the change that makes the node flapping raises the one `flapping` alert. */
async function noteChange(
  deps: EmitDeps,
  config: MeshConfig,
  node: { id: string; name: string },
  transition: Transition,
): Promise<void> {
  const settings = config.alerts.flapping;
  const times = await deps.state.recordChange(node.id, transition.at, transition.to, settings.window);
  if (!isFlapping(times, transition.at, settings)) return;
  if (!(await deps.state.startFlapping(node.id, { since: transition.at }, settings.window))) return;
  const changes = changesWithin(times, transition.at, settings.window);
  await deps.raise([flappingAlert(node, transition.at, changes, transition.incidentId, settings)]);
}
