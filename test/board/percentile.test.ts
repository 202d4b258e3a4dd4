import { describe, expect, it } from 'vitest';
import { latencyBin, summarizeLatency } from '../../src/metrics/latency.js';
import { percentile, percentileOfCounts } from '../../src/metrics/percentile.js';

describe('percentile', () => {
  it('returns null when there are no values', () => {
    expect(percentile([], 50)).toBeNull();
  });

  it('returns the only value for any percentile of one value', () => {
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 100)).toBe(7);
  });

  it('takes the nearest rank, so the answer is always a value that was seen', () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it('does not care about the order of the values', () => {
    expect(percentile([50, 15, 40, 20, 35], 50)).toBe(35);
  });

  it('puts p95 of 1..100 at 95 and p50 at 50', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
  });

  it('lets one slow outlier in twenty reach p95 but not p50', () => {
    const values = [...Array.from({ length: 19 }, () => 10), 900];
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile([...values, 900], 95)).toBe(900);
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('percentileOfCounts', () => {
  it('weighs each value by its count, as if it had been listed that many times', () => {
    const counted = [
      [10, 18],
      [200, 1],
      [30, 1],
    ] as const;
    const listed = [...Array.from({ length: 18 }, () => 10), 200, 30];
    for (const p of [0, 50, 90, 95, 99, 100]) {
      expect(percentileOfCounts(counted, p)).toBe(percentile(listed, p));
    }
  });

  it('ignores values seen zero times', () => {
    expect(
      percentileOfCounts(
        [
          [5, 0],
          [9, 2],
        ],
        0,
      ),
    ).toBe(9);
  });
});

describe('latencyBin', () => {
  it('keeps two significant digits, and tenths of a millisecond below 1 ms', () => {
    expect(latencyBin(6.43)).toBe(6.4);
    expect(latencyBin(57.3)).toBe(57);
    expect(latencyBin(123.4)).toBe(120);
    expect(latencyBin(5012)).toBe(5000);
    expect(latencyBin(0.44)).toBe(0.4);
    expect(latencyBin(0)).toBe(0);
  });

  it('is within 5% of the latency it stands for', () => {
    for (let ms = 1; ms < 100_000; ms *= 1.07) {
      expect(Math.abs(latencyBin(ms) - ms) / ms).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('summarizeLatency', () => {
  it('gives avg and max exactly and p50/p95 from the bins', () => {
    const summary = summarizeLatency({
      count: 4,
      sumMs: 6.1 + 6.3 + 7.04 + 57.25,
      maxMs: 57.25,
      bins: [
        [6.1, 1],
        [6.3, 1],
        [7, 1],
        [57, 1],
      ],
    });
    expect(summary).toEqual({ avg: 19.2, p50: 6.3, p95: 57, max: 57.3 });
  });

  it('is all nulls when no check passed', () => {
    expect(summarizeLatency({ count: 0, sumMs: 0, maxMs: 0, bins: [] })).toEqual({
      avg: null,
      p50: null,
      p95: null,
      max: null,
    });
  });
});
