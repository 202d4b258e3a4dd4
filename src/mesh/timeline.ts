/**
 * A node's status timeline (the dashboard's node detail, `GET /api/nodes/:id/timeline`): the last
 * `windowMs` cut into cells, each counting the checks that started in it. Built from what is
 * stored: the node's uptime buckets (48 over `stats.retain`), and, where no bucket covers a cell,
 * the recent check history (the last 200 checks), which is finer but shorter.
 */
import type { CheckRecord } from './state.js';
import type { UptimeBucket } from './uptime.js';

/** Cells in a timeline, unless the uptime buckets are coarser (then one cell per bucket width). */
export const TIMELINE_CELLS = 48;

export interface TimelineCell {
  /** Epoch ms the cell starts at; it ends where the next one starts (the last at `now`). */
  from: number;
  checks: number;
  passed: number;
}

export interface Timeline {
  from: number;
  to: number;
  cellMs: number;
  cells: TimelineCell[];
}

/**
 * Cells are `windowMs / 48` wide, or as wide as one uptime bucket (`retainMs / 48`) when that is
 * wider, so that no cell claims a finer resolution than what is stored. The last cell ends at `now`.
 */
export function buildTimeline(
  uptime: readonly UptimeBucket[],
  history: readonly CheckRecord[],
  options: { now: number; windowMs: number; retainMs: number },
): Timeline {
  const { now, windowMs, retainMs } = options;
  const bucketMs = Math.max(1, Math.floor(retainMs / TIMELINE_CELLS));
  const cellMs = Math.max(Math.ceil(windowMs / TIMELINE_CELLS), bucketMs);
  const count = Math.ceil(windowMs / cellMs);
  const from = now - count * cellMs;
  const cells: TimelineCell[] = Array.from({ length: count }, (_, index) => ({
    from: from + index * cellMs,
    checks: 0,
    passed: 0,
  }));
  const cellOf = (at: number) =>
    at < from || at > now ? undefined : cells[Math.min(count - 1, Math.floor((at - from) / cellMs))];
  const fromBuckets = new Set<TimelineCell>();
  for (const [start, passed, total] of uptime) {
    const cell = cellOf(start);
    if (!cell) continue;
    cell.checks += total;
    cell.passed += passed;
    fromBuckets.add(cell);
  }
  for (const record of history) {
    const cell = cellOf(record.at);
    if (!cell || fromBuckets.has(cell)) continue;
    cell.checks += 1;
    cell.passed += record.ok ? 1 : 0;
  }
  return { from, to: now, cellMs, cells };
}
