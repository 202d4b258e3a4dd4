/**
 * The `dashboard line` job: every `dashboard.interval`, one INFO line summing up the mesh
 * (`mesh 100% (2/2 healthy) · local 6 ms · iceland 57 ms`). It runs on the `stats` queue under one
 * Job Scheduler, so the line is written once per mesh however many processes run.
 */
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { readContext, readMesh } from '../mesh/read.js';
import type { MeshView } from '../mesh/view.js';
import type { Logger } from '../runtime/logger.js';
import { QUEUE_NAMES } from './queues.js';

export const dashboardLineJob = {
  queue: QUEUE_NAMES.stats,
  jobName: 'dashboard line',
  schedulerId: 'dashboard-line',
  options: {
    attempts: 1,
    // Not kept by count: that would trim the stats reports sharing the queue (see alert-evaluate.ts).
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600, count: 100 },
  },
} as const;

export interface DashboardLineDeps {
  config(): MeshConfig;
  redis: Redis;
  logger: Logger;
  now(): number;
}

/** Enabled nodes only, in mesh.yaml order: healthy ones with their latency, the others with their status. */
export function formatDashboardLine(mesh: MeshView, enabledIds: ReadonlySet<string>): string {
  const nodes = mesh.nodes
    .filter((node) => enabledIds.has(node.id))
    .map((node) =>
      node.status === 'healthy' && node.latencyMs !== null
        ? `${node.id} ${Math.round(node.latencyMs)} ms`
        : `${node.id} ${node.status}`,
    );
  return [`mesh ${mesh.healthPercent}% (${mesh.healthy}/${mesh.total} healthy)`, ...nodes].join(' · ');
}

/** `plannedAt`: the schedule slot the line is for, logged as `at` (one line per slot per mesh). */
export async function runDashboardLine(deps: DashboardLineDeps, plannedAt: number): Promise<string> {
  const config = deps.config();
  const context = await readContext(deps.redis, config, deps.now());
  const mesh = await readMesh(context);
  const enabled = new Set(context.nodes.filter((node) => node.enabled).map((node) => node.id));
  const line = formatDashboardLine(mesh, enabled);
  const { healthPercent, healthy, total } = mesh;
  deps.logger.info({ at: new Date(plannedAt).toISOString(), healthPercent, healthy, total }, line);
  return line;
}
