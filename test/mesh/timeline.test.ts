import { describe, expect, it } from 'vitest';
import type { CheckRecord } from '../../src/mesh/state.js';
import { buildTimeline } from '../../src/mesh/timeline.js';
import type { UptimeBucket } from '../../src/mesh/uptime.js';

const NOW = Date.parse('2026-01-02T00:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function check(at: number, ok: boolean): CheckRecord {
  return { at, ok, latencyMs: 5, error: ok ? null : 'connection refused' };
}

describe('buildTimeline', () => {
  it('cuts a day into 48 half-hour cells ending now', () => {
    const timeline = buildTimeline([], [], { now: NOW, windowMs: DAY, retainMs: DAY });
    expect(timeline.cells).toHaveLength(48);
    expect(timeline.cellMs).toBe(HOUR / 2);
    expect(timeline.from).toBe(NOW - DAY);
    expect(timeline.cells[47]?.from).toBe(NOW - HOUR / 2);
    expect(timeline.cells.every((cell) => cell.checks === 0)).toBe(true);
  });

  it('counts each uptime bucket in the cell it starts in', () => {
    const uptime: UptimeBucket[] = [
      [NOW - 2 * HOUR, 58, 60],
      [NOW - HOUR / 2, 30, 30],
      [NOW - 3 * DAY, 10, 10], // before the window
    ];
    const { cells } = buildTimeline(uptime, [], { now: NOW, windowMs: DAY, retainMs: DAY });
    expect(cells[44]).toEqual({ from: NOW - 2 * HOUR, checks: 60, passed: 58 });
    expect(cells[47]).toEqual({ from: NOW - HOUR / 2, checks: 30, passed: 30 });
    expect(cells.reduce((sum, cell) => sum + cell.checks, 0)).toBe(90);
  });

  it('fills the cells no bucket covers from the check history, never both', () => {
    const uptime: UptimeBucket[] = [[NOW - HOUR / 2, 3, 3]];
    const history = [
      check(NOW - 60_000, true),
      check(NOW - HOUR + 60_000, false),
      check(NOW - HOUR + 120_000, true),
    ];
    const { cells } = buildTimeline(uptime, history, { now: NOW, windowMs: DAY, retainMs: DAY });
    expect(cells[47]).toMatchObject({ checks: 3, passed: 3 });
    expect(cells[46]).toMatchObject({ checks: 2, passed: 1 });
  });

  it('never draws cells finer than the stored buckets', () => {
    // stats.retain 7d: buckets of 3.5 h, so a day is 7 cells of 3.5 h (the first reaching back further).
    const timeline = buildTimeline([], [], { now: NOW, windowMs: DAY, retainMs: 7 * DAY });
    expect(timeline.cellMs).toBe(3.5 * HOUR);
    expect(timeline.cells).toHaveLength(7);
    expect(timeline.from).toBe(NOW - 7 * 3.5 * HOUR);
  });
});
