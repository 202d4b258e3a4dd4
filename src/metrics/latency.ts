/**
 * Latency over a stats window, kept as a bounded aggregate: count, sum and max exactly, and the
 * distribution as counts per bin of two significant digits (6.4 ms, 57 ms, 120 ms, 5000 ms). A bin
 * is within 5% of the values it holds, so p50/p95 are exact to two significant digits while the
 * number of bins stays small however many checks a window sees. Pure.
 */
import { percentileOfCounts, type Weighted } from './percentile.js';

export interface LatencyAggregate {
  count: number;
  sumMs: number;
  maxMs: number;
  /** Bin value (ms) -> how many checks fell in it. */
  bins: Weighted[];
}

export interface LatencySummary {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** The bin a latency falls in: 0.1 ms resolution below 1 ms, else two significant digits. */
export function latencyBin(ms: number): number {
  if (ms < 1) return Math.round(ms * 10) / 10;
  return Number(ms.toPrecision(2));
}

export function summarizeLatency(aggregate: LatencyAggregate): LatencySummary {
  if (aggregate.count === 0) return { avg: null, p50: null, p95: null, max: null };
  return {
    avg: round1(aggregate.sumMs / aggregate.count),
    p50: percentileOfCounts(aggregate.bins, 50),
    p95: percentileOfCounts(aggregate.bins, 95),
    max: round1(aggregate.maxMs),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
