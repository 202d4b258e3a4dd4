/**
 * Counter and histogram families from the mesh-wide counters hash (see check-recorder.ts and
 * alert-counters.ts for how its fields are written). Pure.
 */

import { CHECK_DURATION_BOUNDS, cumulate, SCHEDULE_LAG_BOUNDS } from './histograms.js';
import type { MetricFamily, MetricSample } from './metric-types.js';

interface Parsed {
  checks: MetricSample[];
  duration: Map<string, { buckets: Map<number, number>; sum: number }>;
  lag: { buckets: Map<number, number>; sum: number };
  alerts: MetricSample[];
  notifyFailures: MetricSample[];
  watchTriggered: MetricSample[];
}

export function counterFamilies(
  counters: Readonly<Record<string, string>>,
  nodeIds: ReadonlySet<string>,
): MetricFamily[] {
  const parsed = parseCounters(counters, nodeIds);
  const duration: MetricSample[] = [];
  for (const [node, histogram] of parsed.duration) {
    duration.push(
      ...histogramSamples('gpu_mesh_check_duration_seconds', { node }, histogram, CHECK_DURATION_BOUNDS),
    );
  }
  return [
    {
      name: 'gpu_mesh_checks_total',
      help: 'Checks run, by node and result (ok or failed).',
      type: 'counter',
      values: parsed.checks,
    },
    {
      name: 'gpu_mesh_check_duration_seconds',
      help: 'Whole duration of each check, all its requests included.',
      type: 'histogram',
      values: duration,
    },
    {
      name: 'gpu_mesh_schedule_lag_seconds',
      help: 'How late checks started compared with when they were due.',
      type: 'histogram',
      values: histogramSamples('gpu_mesh_schedule_lag_seconds', {}, parsed.lag, SCHEDULE_LAG_BOUNDS),
    },
    {
      name: 'gpu_mesh_alerts_total',
      help: 'Alerts delivered, by kind, severity and channel.',
      type: 'counter',
      values: parsed.alerts,
    },
    {
      name: 'gpu_mesh_notify_failures_total',
      help: 'Failed alert delivery attempts, by channel.',
      type: 'counter',
      values: parsed.notifyFailures,
    },
    {
      name: 'gpu_mesh_watch_triggered_total',
      help: 'Checks triggered by a lost keep-alive connection, by node.',
      type: 'counter',
      values: parsed.watchTriggered,
    },
  ];
}

function parseCounters(counters: Readonly<Record<string, string>>, nodeIds: ReadonlySet<string>): Parsed {
  const parsed: Parsed = {
    checks: [],
    duration: new Map(),
    lag: { buckets: new Map(), sum: 0 },
    alerts: [],
    notifyFailures: [],
    watchTriggered: [],
  };
  for (const [field, raw] of Object.entries(counters)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const parts = field.split('|');
    const [family, a, b, c] = parts;
    if (family === 'checks' && parts.length === 3 && a && b && nodeIds.has(a)) {
      parsed.checks.push({ labels: { node: a, result: b }, value });
    } else if (family === 'duration' && parts.length === 3 && a && b && nodeIds.has(a)) {
      let histogram = parsed.duration.get(a);
      if (!histogram) {
        histogram = { buckets: new Map(), sum: 0 };
        parsed.duration.set(a, histogram);
      }
      addToHistogram(histogram, b, value);
    } else if (family === 'lag' && parts.length === 2 && a) {
      addToHistogram(parsed.lag, a, value);
    } else if (family === 'alerts' && parts.length === 4 && a && b && c) {
      parsed.alerts.push({ labels: { kind: a, severity: b, channel: c }, value });
    } else if (family === 'notify_failures' && parts.length === 2 && a) {
      parsed.notifyFailures.push({ labels: { channel: a }, value });
    } else if (family === 'watch_triggered' && parts.length === 2 && a && nodeIds.has(a)) {
      parsed.watchTriggered.push({ labels: { node: a }, value });
    }
  }
  return parsed;
}

function addToHistogram(
  histogram: { buckets: Map<number, number>; sum: number },
  key: string,
  value: number,
): void {
  if (key === 'sum') histogram.sum = value;
  else if (/^\d+$/.test(key)) histogram.buckets.set(Number(key), value);
}

function histogramSamples(
  name: string,
  labels: Record<string, string>,
  histogram: { buckets: Map<number, number>; sum: number },
  bounds: readonly number[],
): MetricSample[] {
  const sample = cumulate(histogram.buckets, bounds, histogram.sum);
  return [
    ...sample.buckets.map(([le, count]) => ({
      metricName: `${name}_bucket`,
      labels: { ...labels, le },
      value: count,
    })),
    { metricName: `${name}_sum`, labels, value: sample.sum },
    { metricName: `${name}_count`, labels, value: sample.count },
  ];
}
