/**
 * Alert rules for what a check changed (pure): a node's transitions and newly raised soft signals
 * become alerts. Time-based kinds (down_too_long, mesh_down, repeats, the end of flapping and
 * of a mass failure) are in `evaluate.ts`; whether an alert is delivered, held or folded into a
 * mass failure is decided when it is processed (`gate.ts`).
 *
 * Alert ids are deterministic — `<incident id>:<kind>` for an incident's alerts — so the same
 * alert emitted twice (two processes, a retried job) is one BullMQ job and one delivery.
 */
import type { Transition } from '../mesh/state.js';
import { assertNever, type NodeStatus, type SoftSignal } from '../mesh/types.js';
import { incidentStart } from './incident-id.js';
import { formatDuration, isoTime, nodeLabel } from './message-text.js';
import { ALERT_SEVERITY, type Alert, type AlertKind } from './types.js';

export interface AlertNode {
  id: string;
  name: string;
}

/** Builds an alert of `kind` with the severity docs/alerts.md gives that kind. */
export function makeAlert(
  kind: AlertKind,
  fields: {
    id: string;
    at: number;
    nodeId: string | null;
    incidentId: string | null;
    title: string;
    message: string;
  },
): Alert {
  return {
    id: fields.id,
    at: isoTime(fields.at),
    severity: ALERT_SEVERITY[kind],
    kind,
    nodeId: fields.nodeId,
    incidentId: fields.incidentId,
    title: fields.title,
    message: fields.message,
  };
}

const FAILING: readonly NodeStatus[] = ['degraded', 'unhealthy', 'recovering'];

export function isFailing(status: NodeStatus): boolean {
  return FAILING.includes(status);
}

/**
 * The alerts one transition raises:
 * - to `degraded` -> `degraded` (WARNING);
 * - to `unhealthy` from a healthy, unknown or degraded node -> `unhealthy` (ERROR), or
 *   `misconfigured` (ERROR) when Ollama answered 403; the return to `unhealthy` between two
 *   recovery attempts raises nothing (the recovery job reports its own attempts);
 * - to `healthy`, closing an incident -> `recovered` (INFO) saying how long the node was down
 *   and what was tried (`tried`: the recoveries of the incident, in order);
 * - a first check that finds the node healthy, and the start of a recovery, raise nothing.
 */
export function transitionAlerts(
  node: AlertNode,
  transition: Transition,
  tried: readonly string[] = [],
): Alert[] {
  const incidentId = transition.incidentId;
  const who = nodeLabel(node);
  const since = incidentStart(incidentId);
  const failingFor = since === null ? '' : ` (failing since ${isoTime(since)})`;
  const base = { at: transition.at, nodeId: node.id, incidentId };
  const idOf = (kind: AlertKind) => `${incidentId ?? `${node.id}:${transition.at}`}:${kind}`;
  const cause = transition.error ?? 'checks failed';
  switch (transition.to) {
    case 'degraded':
      return [
        makeAlert('degraded', {
          ...base,
          id: idOf('degraded'),
          title: `${who} is degraded`,
          message: `Checks of ${who} are failing${failingFor}: ${cause}`,
        }),
      ];
    case 'unhealthy': {
      if (transition.from === 'recovering' || transition.from === 'unhealthy') return [];
      if (transition.misconfigured) {
        return [
          makeAlert('misconfigured', {
            ...base,
            id: idOf('misconfigured'),
            title: `${who} is misconfigured`,
            message:
              `Ollama on ${who} refused our requests (${cause}): its OLLAMA_HOST / OLLAMA_ORIGINS or the ` +
              'proxy in front of it does not accept this Host. It is not restarted automatically.',
          }),
        ];
      }
      return [
        makeAlert('unhealthy', {
          ...base,
          id: idOf('unhealthy'),
          title: `${who} is unhealthy`,
          message: `${who} is unhealthy${failingFor}: ${cause}`,
        }),
      ];
    }
    case 'healthy': {
      if (transition.downMs === null || incidentId === null) return [];
      return [
        makeAlert('recovered', {
          ...base,
          id: idOf('recovered'),
          title: `${who} recovered`,
          message:
            `${who} is healthy again after ${formatDuration(transition.downMs)} down (incident ${incidentId}). ` +
            (tried.length === 0 ? 'No recovery was tried.' : `Tried: ${tried.join('; ')}.`),
        }),
      ];
    }
    case 'recovering':
    case 'unknown':
      return [];
    default:
      return assertNever(transition.to);
  }
}

/** One WARNING per soft signal that started being true with a check at `at`. */
export function signalAlerts(
  node: AlertNode,
  signals: readonly SoftSignal[],
  at: number,
  incidentId: string | null,
): Alert[] {
  const who = nodeLabel(node);
  return signals.map((signal) => {
    const base = { id: `${node.id}:${signal.kind}:${signal.model}:${at}`, at, nodeId: node.id, incidentId };
    switch (signal.kind) {
      case 'gpu_fallback': {
        const share = signal.size > 0 ? Math.round((100 * signal.sizeVram) / signal.size) : 0;
        return makeAlert('gpu_fallback', {
          ...base,
          title: `${who}: ${signal.model} runs partly on the CPU`,
          message:
            `Only ${share}% of ${signal.model} (${signal.sizeVram} of ${signal.size} bytes) is in GPU memory on ${who}; ` +
            'the rest runs on the CPU, many times slower.',
        });
      }
      case 'stuck_model':
        return makeAlert('stuck_model', {
          ...base,
          title: `${who}: ${signal.model} is stuck in memory`,
          message: `${signal.model} on ${who} should have been unloaded at ${signal.expiresAt}, over a minute ago.`,
        });
      default:
        return assertNever(signal);
    }
  });
}

/**
 * Whether a transition counts as a status change for flapping: every change between statuses a
 * check decides. The first check (from `unknown`) and recovery attempts (to and from
 * `recovering`) are not flapping.
 */
export function countsAsChange(transition: Transition): boolean {
  return transition.from !== 'unknown' && transition.from !== 'recovering' && transition.to !== 'recovering';
}

/** Whether a transition starts an incident's trouble: the node was fine (or unknown) and now fails. */
export function opensIncident(transition: Transition): boolean {
  const wasFine = transition.from === 'healthy' || transition.from === 'unknown';
  return wasFine && (transition.to === 'degraded' || transition.to === 'unhealthy');
}
