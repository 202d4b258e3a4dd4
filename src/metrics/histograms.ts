/**
 * Histogram buckets kept in Redis: each observation increments the count of the first bucket whose
 * upper bound holds it (the last index is +Inf), so many processes can add to one histogram with
 * HINCRBY; Prometheus' cumulative `le` series are computed when scraped. Pure.
 */

/** Upper bounds (seconds) of `gpu_mesh_check_duration_seconds`. */
export const CHECK_DURATION_BOUNDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/** Upper bounds (seconds) of `gpu_mesh_schedule_lag_seconds`. */
export const SCHEDULE_LAG_BOUNDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Index of the bucket `value` falls in; `bounds.length` stands for +Inf. */
export function bucketIndex(value: number, bounds: readonly number[]): number {
  const index = bounds.findIndex((bound) => value <= bound);
  return index === -1 ? bounds.length : index;
}

export interface HistogramSample {
  /** `le` label -> cumulative count, ending with `+Inf`. */
  buckets: [le: string, count: number][];
  sum: number;
  count: number;
}

/** Cumulative buckets from per-bucket counts (index -> count, `bounds.length` = +Inf). */
export function cumulate(
  perBucket: ReadonlyMap<number, number>,
  bounds: readonly number[],
  sum: number,
): HistogramSample {
  let running = 0;
  const buckets: [string, number][] = [];
  for (let index = 0; index <= bounds.length; index++) {
    running += perBucket.get(index) ?? 0;
    buckets.push([index < bounds.length ? String(bounds[index]) : '+Inf', running]);
  }
  return { buckets, sum, count: running };
}
