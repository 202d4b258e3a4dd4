import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/mesh/view.js';
import { MetricsExporter } from '../../src/metrics/exporter.js';
import { type MetricsSnapshot, metricFamilies } from '../../src/metrics/families.js';
import { bucketIndex, CHECK_DURATION_BOUNDS, cumulate } from '../../src/metrics/histograms.js';

const local: NodeView = {
  id: 'local',
  name: 'Local',
  url: 'http://127.0.0.1:11434',
  status: 'degraded',
  silenced: false,
  tags: [],
  consecutiveFailures: 1,
  lastCheckAt: '2026-01-01T00:00:00.000Z',
  lastOkAt: null,
  lastError: 'connection refused',
  latencyMs: 3,
  version: '0.12.3',
  models: 8,
  loadedModels: [
    { name: 'llama3.2:latest', sizeVram: 2_000 },
    { name: 'qwen3:8b', sizeVram: 500 },
  ],
  checks: 2,
  successes: 1,
  successRate: 50,
  uptimeScore: 50,
  incidentId: 'local:1',
  watch: 'off',
};

const snapshot: MetricsSnapshot = {
  mesh: { healthPercent: 0, healthy: 0, total: 1, nodes: [local] },
  counters: {
    'checks|local|ok': '1',
    'checks|local|failed': '1',
    'checks|gone|ok': '5',
    'duration|local|0': '1',
    'duration|local|3': '1',
    'duration|local|sum': '0.034',
    'lag|1': '2',
    'lag|sum': '0.05',
    'alerts|degraded|WARNING|log': '1',
    'notify_failures|slack': '3',
    'watch_triggered|local': '2',
    'watch_triggered|gone': '4',
  },
  queues: [{ queue: 'health-check', counts: { waiting: 2, failed: 1 } }],
};

describe('histogram buckets', () => {
  it('puts a value in the first bucket whose bound holds it, and past the last in +Inf', () => {
    expect(bucketIndex(0.001, CHECK_DURATION_BOUNDS)).toBe(0);
    expect(bucketIndex(0.005, CHECK_DURATION_BOUNDS)).toBe(0);
    expect(bucketIndex(0.006, CHECK_DURATION_BOUNDS)).toBe(1);
    expect(bucketIndex(1000, CHECK_DURATION_BOUNDS)).toBe(CHECK_DURATION_BOUNDS.length);
  });

  it('makes cumulative `le` counts ending with +Inf', () => {
    const sample = cumulate(
      new Map([
        [0, 1],
        [2, 2],
        [3, 1],
      ]),
      [1, 2, 3],
      9,
    );
    expect(sample).toEqual({
      buckets: [
        ['1', 1],
        ['2', 1],
        ['3', 3],
        ['+Inf', 4],
      ],
      sum: 9,
      count: 4,
    });
  });
});

describe('metricFamilies', () => {
  const families = new Map(metricFamilies(snapshot).map((family) => [family.name, family]));

  it("has every family SPEC names, each node's gauges, and only configured nodes' counters", () => {
    for (const name of [
      'gpu_mesh_node_up',
      'gpu_mesh_node_status',
      'gpu_mesh_check_duration_seconds',
      'gpu_mesh_checks_total',
      'gpu_mesh_alerts_total',
      'gpu_mesh_notify_failures_total',
      'gpu_mesh_queue_jobs',
      'gpu_mesh_schedule_lag_seconds',
      'gpu_mesh_node_consecutive_failures',
      'gpu_mesh_node_loaded_models',
      'gpu_mesh_node_vram_bytes',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get('gpu_mesh_checks_total')?.values).toEqual([
      { labels: { node: 'local', result: 'ok' }, value: 1 },
      { labels: { node: 'local', result: 'failed' }, value: 1 },
    ]);
  });

  it('counts watch-triggered checks of configured nodes', () => {
    expect(families.get('gpu_mesh_watch_triggered_total')?.values).toEqual([
      { labels: { node: 'local' }, value: 2 },
    ]);
  });

  it('marks a node whose last check failed as down, with one status set to 1', () => {
    expect(families.get('gpu_mesh_node_up')?.values).toEqual([{ labels: { node: 'local' }, value: 0 }]);
    const statuses = families.get('gpu_mesh_node_status')?.values ?? [];
    expect(statuses.filter((sample) => sample.value === 1)).toEqual([
      { labels: { node: 'local', status: 'degraded' }, value: 1 },
    ]);
    expect(statuses).toHaveLength(5);
  });

  it('adds up the VRAM of the loaded models', () => {
    expect(families.get('gpu_mesh_node_vram_bytes')?.values).toEqual([
      { labels: { node: 'local' }, value: 2500 },
    ]);
    expect(families.get('gpu_mesh_node_loaded_models')?.values).toEqual([
      { labels: { node: 'local' }, value: 2 },
    ]);
  });
});

describe('MetricsExporter', () => {
  it('renders Prometheus text through the registry it is given', async () => {
    const registry = new Registry();
    const exporter = new MetricsExporter(registry, async () => snapshot);
    const text = await exporter.render();
    expect(text).toContain('# TYPE gpu_mesh_check_duration_seconds histogram');
    expect(text).toContain('gpu_mesh_check_duration_seconds_bucket{node="local",le="0.005"} 1');
    expect(text).toContain('gpu_mesh_check_duration_seconds_bucket{node="local",le="+Inf"} 2');
    expect(text).toContain('gpu_mesh_check_duration_seconds_count{node="local"} 2');
    expect(text).toContain('gpu_mesh_schedule_lag_seconds_count 2');
    expect(text).toContain('gpu_mesh_alerts_total{kind="degraded",severity="WARNING",channel="log"} 1');
    expect(text).toContain('gpu_mesh_notify_failures_total{channel="slack"} 3');
    expect(text).toContain('gpu_mesh_queue_jobs{queue="health-check",state="failed"} 1');
    expect(text).toContain('gpu_mesh_node_model_vram_bytes{node="local",model="llama3.2:latest"} 2000');
    expect(registry.getSingleMetric('gpu_mesh_node_up')).toBeDefined();
    expect(await exporter.render()).toBe(text);
  });
});
