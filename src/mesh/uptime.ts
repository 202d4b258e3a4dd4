/**
 * A node's uptime over `stats.retain`: pass and total counts of its checks in 48 buckets. Kept out
 * of the node's state document, so that a passing check of a healthy node changes two counters
 * instead of rewriting the document (docs/architecture.md, "What a check writes"). Pure.
 */
import { round1 } from './state.js';

/** Pass and total counts of the checks that started within one uptime bucket. */
export type UptimeBucket = [start: number, ok: number, total: number];

const UPTIME_BUCKETS = 48;

/**
 * One stored counter per bucket holds both counts, `total * TOTAL_UNIT + passed`, so that a check
 * is one HINCRBY. A bucket is `retain / 48` wide: at one check a second it holds ~1,800 checks of
 * a day's retain, far below the 2^20 a pass count may reach before it spills into the total.
 */
export const TOTAL_UNIT = 2 ** 20;

export function uptimeBucketMs(retainMs: number): number {
  return Math.max(1, Math.floor(retainMs / UPTIME_BUCKETS));
}

/** Where a check at `at` counts: its bucket, what to add to it, and the oldest bucket still kept. */
export interface UptimeMark {
  bucket: number;
  increment: number;
  /** Buckets starting at or before this are outside the retain window. */
  expiredAt: number;
}

export function uptimeMark(at: number, passed: boolean, retainMs: number): UptimeMark {
  const width = uptimeBucketMs(retainMs);
  return { bucket: at - (at % width), increment: TOTAL_UNIT + (passed ? 1 : 0), expiredAt: at - retainMs };
}

/** A stored counter back into its bucket. */
export function unpackBucket(start: number, packed: number): UptimeBucket {
  const ok = packed % TOTAL_UNIT;
  return [start, ok, (packed - ok) / TOTAL_UNIT];
}

/** % of checks that passed within the retain window (bucket resolution), null before any check. */
export function uptimeScore(buckets: readonly UptimeBucket[], now: number, retainMs: number): number | null {
  let ok = 0;
  let total = 0;
  for (const [start, passed, count] of buckets) {
    if (start <= now - retainMs) continue;
    ok += passed;
    total += count;
  }
  return total === 0 ? null : round1((100 * ok) / total);
}
