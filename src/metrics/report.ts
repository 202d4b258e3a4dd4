/**
 * The stats report (docs/http-api.md "Report"): for one window, per node, how many checks ran and passed
 * and how fast the passing ones answered; plus the node's status, models and uptime score (over
 * `stats.retain`) and the mesh health, as they stand when the report is made. Pure.
 */

import type { NodeStatus } from '../mesh/types.js';
import type { MeshView } from '../mesh/view.js';
import { type LatencySummary, summarizeLatency } from './latency.js';
import { emptyWindow, type NodeWindow } from './window.js';

export interface NodeReport {
  id: string;
  name: string;
  status: NodeStatus;
  /** Checks that started within the window. */
  checks: number;
  successes: number;
  /** % of the window's checks that passed (2 decimals); null when none ran. */
  successRate: number | null;
  uptimeScore: number | null;
  models: number | null;
  /** Of the checks that passed within the window; nulls when none passed. */
  latencyMs: LatencySummary;
}

export interface Report {
  /** The end of the window (ISO). */
  at: string;
  windowMs: number;
  healthPercent: number;
  healthy: number;
  total: number;
  nodes: NodeReport[];
}

export function buildReport(
  mesh: MeshView,
  windows: ReadonlyMap<string, NodeWindow>,
  windowEnd: number,
  windowMs: number,
): Report {
  return {
    at: new Date(windowEnd).toISOString(),
    windowMs,
    healthPercent: mesh.healthPercent,
    healthy: mesh.healthy,
    total: mesh.total,
    nodes: mesh.nodes.map((node) => {
      const window = windows.get(node.id) ?? emptyWindow();
      return {
        id: node.id,
        name: node.name,
        status: node.status,
        checks: window.checks,
        successes: window.successes,
        successRate:
          window.checks === 0 ? null : Math.round((10000 * window.successes) / window.checks) / 100,
        uptimeScore: node.uptimeScore,
        models: node.models,
        latencyMs: summarizeLatency(window.latency),
      };
    }),
  };
}

/** The report as one log line's words: `report 5m: mesh 100% · local 12/12 ok p95 8 ms · …`. */
export function describeReport(report: Report): string {
  const nodes = report.nodes.map((node) => {
    const p95 = node.latencyMs.p95 === null ? '' : ` p95 ${node.latencyMs.p95} ms`;
    return `${node.id} ${node.successes}/${node.checks} ok${p95}`;
  });
  return [
    `stats report: mesh ${report.healthPercent}% (${report.healthy}/${report.total} healthy)`,
    ...nodes,
  ].join(' · ');
}
