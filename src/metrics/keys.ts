/** Redis keys of statistics and metrics; all live under the mesh prefix. */

/** One stats window: every check that started within [index × interval, (index + 1) × interval). */
export function statsWindowKey(prefix: string, intervalMs: number, index: number): string {
  return `${prefix}:stats:window:${intervalMs}:${index}`;
}

/** Mesh-wide counters and histogram buckets behind `/metrics` (one hash). */
export function metricsCountersKey(prefix: string): string {
  return `${prefix}:metrics:counters`;
}

/** Stats reports, scored by the end of their window. */
export function reportsKey(prefix: string): string {
  return `${prefix}:reports`;
}

/**
 * A node's fields in the counters hash (`checks|<node>|ok`, `duration|<node>|<bucket>`, …): the
 * series `/metrics` shows for it. `bucketCount` is the number of duration buckets, +Inf included.
 */
export function nodeCounterFields(nodeId: string, bucketCount: number): string[] {
  const buckets = Array.from({ length: bucketCount }, (_, index) => `duration|${nodeId}|${index}`);
  return [`checks|${nodeId}|ok`, `checks|${nodeId}|failed`, ...buckets, `duration|${nodeId}|sum`];
}
