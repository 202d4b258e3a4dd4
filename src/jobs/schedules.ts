/**
 * One BullMQ Job Scheduler per enabled node on the `health-check` queue, under a stable id.
 * Upserts are idempotent (same `every` keeps the slot), so any number of processes may run this.
 */
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { NodeConfig } from '../config/types.js';
import type { NodeStore } from '../mesh/store.js';
import { type HealthCheckPayload, healthCheckJob } from './health-check.js';
import { safeJobId } from './queues.js';

const IN_FLIGHT = 64;

/** Spreads nodes over the interval so they are not all due at the same instant. */
export function scheduleOffset(nodeId: string, every: number): number {
  const hash = createHash('sha1').update(nodeId).digest().readUInt32BE(0);
  return hash % every;
}

export async function upsertNodeSchedules(queue: Queue, nodes: readonly NodeConfig[]): Promise<void> {
  await inBatches(
    nodes.filter((node) => node.enabled),
    (node) => {
      const every = node.checks.interval;
      const data: HealthCheckPayload = { nodeId: node.id, reason: 'schedule' };
      return queue.upsertJobScheduler(
        healthCheckJob.schedulerId(node.id),
        { every, offset: scheduleOffset(node.id, every) },
        { name: healthCheckJob.jobName(node.id), data, opts: healthCheckJob.options },
      );
    },
  );
}

export async function removeNodeSchedules(queue: Queue, nodeIds: readonly string[]): Promise<void> {
  await inBatches(nodeIds, (id) => queue.removeJobScheduler(healthCheckJob.schedulerId(id)));
}

/** Makes the schedulers exactly those of the enabled nodes: upserts them and removes the rest. */
export async function syncNodeSchedules(
  queue: Queue,
  nodes: readonly NodeConfig[],
): Promise<{ removed: string[] }> {
  await upsertNodeSchedules(queue, nodes);
  const wanted = new Set(
    nodes.filter((node) => node.enabled).map((node) => healthCheckJob.schedulerId(node.id)),
  );
  const existing = await queue.getJobSchedulers(0, -1);
  const orphans = existing
    .map((scheduler) => scheduler.key)
    .filter((key) => key.startsWith(healthCheckJob.schedulerId('')) && !wanted.has(key));
  await inBatches(orphans, (key) => queue.removeJobScheduler(key));
  return { removed: orphans.map((key) => key.slice(healthCheckJob.schedulerId('').length)) };
}

async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += IN_FLIGHT) {
    await Promise.all(items.slice(start, start + IN_FLIGHT).map(run));
  }
}

/** Nodes never checked get a check now rather than at their first slot, up to an interval away. */
export async function checkNewNodesNow(
  queue: Queue,
  store: NodeStore,
  nodes: readonly NodeConfig[],
): Promise<void> {
  const enabled = nodes.filter((node) => node.enabled);
  const states = await store.readMany(enabled.map((node) => node.id));
  const unchecked = enabled.filter((_, index) => states[index]?.version === 0);
  await queue.addBulk(
    unchecked.map((node) => {
      const data: HealthCheckPayload = { nodeId: node.id, reason: 'schedule' };
      return {
        name: healthCheckJob.jobName(node.id),
        data,
        opts: { ...healthCheckJob.options, jobId: safeJobId('first', node.id) },
      };
    }),
  );
}
