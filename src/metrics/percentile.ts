/**
 * Percentiles by the nearest-rank method: the smallest observed value with at least p% of the
 * observations at or below it. It always returns a value that was actually seen (no interpolation),
 * which is what an operator reading "p95 57 ms" expects. Pure.
 */

/** One observed value and how many times it was seen. */
export type Weighted = readonly [value: number, count: number];

/** The p-th percentile (0–100) of `values`, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileOfCounts(
    values.map((value) => [value, 1] as const),
    p,
  );
}

/** The p-th percentile (0–100) of values given with their counts (in any order); null when empty. */
export function percentileOfCounts(counted: readonly Weighted[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = counted.filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = sorted.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return sorted[sorted.length - 1]?.[0] ?? null;
}
