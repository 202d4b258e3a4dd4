/**
 * Stats windows. A report covers one whole window of `stats.interval`, aligned on multiples of it,
 * and is computed `grace` after the window ends, when every check that started inside it has
 * finished (a check lasts at most its timeout, plus the deep part when on). Each check counts in
 * exactly one window, by the time it started. Pure.
 */
import type { MeshConfig } from '../config/types.js';
import type { LatencyAggregate } from './latency.js';

/** What one node did within one window. */
export interface NodeWindow {
  checks: number;
  successes: number;
  /** Latency of the checks that passed. */
  latency: LatencyAggregate;
}

const WRITE_MARGIN_MS = 1000;

export function windowIndex(at: number, intervalMs: number): number {
  return Math.floor(at / intervalMs);
}

/** How long after a window ends its checks are sure to have finished. */
export function statsGraceMs(config: MeshConfig): number {
  let longest = config.checks.timeout;
  for (const node of config.nodes) {
    if (!node.enabled) continue;
    const deep = node.checks.deep.every > 0 ? node.checks.deep.timeout : 0;
    longest = Math.max(longest, node.checks.timeout + deep);
  }
  return longest + WRITE_MARGIN_MS;
}

/** The latest window that has fully settled at `now`. */
export function settledWindow(
  now: number,
  intervalMs: number,
  graceMs: number,
): { index: number; end: number } {
  const index = windowIndex(now - graceMs, intervalMs) - 1;
  return { index, end: (index + 1) * intervalMs };
}

/** How long a window's raw counts stay in Redis: long enough to be reported even by a late job. */
export function windowTtlMs(intervalMs: number, graceMs: number): number {
  return 3 * intervalMs + 2 * graceMs + 60_000;
}

export function emptyWindow(): NodeWindow {
  return { checks: 0, successes: 0, latency: { count: 0, sumMs: 0, maxMs: 0, bins: [] } };
}

/**
 * A window's Redis hash as per-node aggregates. Fields: `<node>|n` checks, `<node>|ok` passes,
 * `<node>|sum` and `<node>|max` latency of passes, `<node>|b<bin>` passes per latency bin.
 */
export function parseWindowHash(hash: Readonly<Record<string, string>>): Map<string, NodeWindow> {
  const windows = new Map<string, NodeWindow>();
  for (const [field, raw] of Object.entries(hash)) {
    const bar = field.indexOf('|');
    if (bar < 1) continue;
    const nodeId = field.slice(0, bar);
    const name = field.slice(bar + 1);
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    let window = windows.get(nodeId);
    if (!window) {
      window = emptyWindow();
      windows.set(nodeId, window);
    }
    applyField(window, name, value);
  }
  return windows;
}

function applyField(window: NodeWindow, name: string, value: number): void {
  if (name === 'n') window.checks = value;
  else if (name === 'ok') {
    window.successes = value;
    window.latency.count = value;
  } else if (name === 'sum') window.latency.sumMs = value;
  else if (name === 'max') window.latency.maxMs = value;
  else if (name.startsWith('b')) window.latency.bins.push([Number(name.slice(1)), value]);
}
