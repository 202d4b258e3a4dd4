/** A metric family as prom-client's registry renders it. */
export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
  /** For histograms: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  values: MetricSample[];
}
