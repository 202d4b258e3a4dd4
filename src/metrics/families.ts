/**
 * The `/metrics` families, built from one snapshot of the mesh (node views, the counters hash,
 * queue counts). Every family is mesh-wide: it comes from Redis, so each server process exports the
 * same values (scrape one, or dedupe). Pure.
 */
import { STATUSES } from '../mesh/types.js';
import type { MeshView, NodeView } from '../mesh/view.js';
import { counterFamilies } from './counter-families.js';
import type { MetricFamily, MetricSample } from './metric-types.js';

export interface QueueCounts {
  queue: string;
  counts: Readonly<Record<string, number>>;
}

export interface MetricsSnapshot {
  mesh: MeshView;
  counters: Readonly<Record<string, string>>;
  queues: readonly QueueCounts[];
}

type NodeGauge = { name: string; help: string; value(node: NodeView): number | null };

const NODE_GAUGES: NodeGauge[] = [
  {
    name: 'gpu_mesh_node_up',
    help: '1 when the node passed its last check, else 0.',
    value: (node) => (node.lastCheckAt !== null && node.consecutiveFailures === 0 ? 1 : 0),
  },
  {
    name: 'gpu_mesh_node_consecutive_failures',
    help: 'Checks failed in a row.',
    value: (node) => node.consecutiveFailures,
  },
  {
    name: 'gpu_mesh_node_latency_seconds',
    help: "The last check's whole duration.",
    value: (node) => (node.latencyMs === null ? null : node.latencyMs / 1000),
  },
  {
    name: 'gpu_mesh_node_uptime_score',
    help: '% of checks that passed within stats.retain.',
    value: (node) => node.uptimeScore,
  },
  { name: 'gpu_mesh_node_models', help: 'Models installed on the node.', value: (node) => node.models },
  {
    name: 'gpu_mesh_node_loaded_models',
    help: 'Models loaded in memory (/api/ps).',
    value: (node) => node.loadedModels.length,
  },
  {
    name: 'gpu_mesh_node_vram_bytes',
    help: 'GPU memory held by the loaded models.',
    value: (node) => node.loadedModels.reduce((sum, model) => sum + model.sizeVram, 0),
  },
];

export function metricFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  const { mesh } = snapshot;
  const nodeIds = new Set(mesh.nodes.map((node) => node.id));
  return [
    {
      name: 'gpu_mesh_health_percent',
      help: '% of enabled nodes that are healthy.',
      type: 'gauge',
      values: [{ labels: {}, value: mesh.healthPercent }],
    },
    {
      name: 'gpu_mesh_node_status',
      help: '1 for the status the node is in, 0 for the others.',
      type: 'gauge',
      values: mesh.nodes.flatMap((node) =>
        STATUSES.map((status) => ({
          labels: { node: node.id, status },
          value: node.status === status ? 1 : 0,
        })),
      ),
    },
    ...NODE_GAUGES.map((gauge) => nodeGauge(gauge, mesh.nodes)),
    {
      name: 'gpu_mesh_node_model_vram_bytes',
      help: 'GPU memory held by one loaded model.',
      type: 'gauge',
      values: mesh.nodes.flatMap((node) =>
        node.loadedModels.map((model) => ({
          labels: { node: node.id, model: model.name },
          value: model.sizeVram,
        })),
      ),
    },
    {
      name: 'gpu_mesh_queue_jobs',
      help: 'Jobs in each queue, by state.',
      type: 'gauge',
      values: snapshot.queues.flatMap(({ queue, counts }) =>
        Object.entries(counts).map(([state, value]) => ({ labels: { queue, state }, value })),
      ),
    },
    ...counterFamilies(snapshot.counters, nodeIds),
  ];
}

function nodeGauge(gauge: NodeGauge, nodes: readonly NodeView[]): MetricFamily {
  const values: MetricSample[] = [];
  for (const node of nodes) {
    const value = gauge.value(node);
    if (value !== null) values.push({ labels: { node: node.id }, value });
  }
  return { name: gauge.name, help: gauge.help, type: 'gauge', values };
}
