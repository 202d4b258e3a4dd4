/**
 * What the chaos cases share: a private Redis with its data in an append-only file (as a
 * production Redis would keep it), `gpu-mesh start` processes that are SIGKILLed whatever happens,
 * and small readers of what gpu-mesh keeps in Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/runtime/private-redis.js';
import type { Simulator } from '../../src/simulator/index.js';
import { type CliProcess, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

export type Cleanup = () => Promise<unknown> | unknown;

/** Runs the cleanups last-in first-out; one that throws does not stop the others. */
export async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()?.();
    } catch (error) {
      console.warn(`cleanup failed: ${String(error)}`);
    }
  }
}

export interface ChaosRedis extends PrivateRedis {
  /** A client for the test's own reads (`maxRetriesPerRequest: null`). */
  client: Redis;
}

/** A private `redis-server` on a free port with AOF on (`startPrivateRedis` with a data folder). */
export async function startChaosRedis(cleanups: Cleanup[]): Promise<ChaosRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-chaos-redis-'));
  const redis = await startPrivateRedis({ dir });
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  client.on('error', () => {});
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => redis.stop(),
    () => client.disconnect(),
  );
  const appendonly = await client.config('GET', 'appendonly');
  if (!JSON.stringify(appendonly).includes('yes')) throw new Error('the chaos Redis must run with AOF');
  return { ...redis, client };
}

/** `gpu-mesh start …`, SIGKILLed at cleanup (if it is still running). */
export function startMesh(cleanups: Cleanup[], args: string[]): CliProcess {
  const mesh = startCli(['start', ...args]);
  cleanups.push(() => {
    if (mesh.child.exitCode === null && mesh.child.signalCode === null) mesh.child.kill('SIGKILL');
  });
  return mesh;
}

/** The tail of a process's output, for a failure message. */
export function tail(mesh: CliProcess, lines = 30): string {
  return mesh.output().split('\n').slice(-lines).join('\n');
}

/** Lines of a process's JSON log whose `msg` contains `text`. */
export function logLines(mesh: CliProcess, text: string): string[] {
  return mesh
    .output()
    .split('\n')
    .filter((line) => line.includes(text));
}

/** A queue handle on the test's Redis client, closed at cleanup. */
export function openQueue(cleanups: Cleanup[], redis: Redis, prefix: string, name: string): Queue {
  const queue = new Queue(name, { connection: redis, prefix });
  cleanups.push(() => queue.close());
  return queue;
}

/** mesh.yaml for a chaos case: its Redis and prefix, the given settings, every simulated node. */
export function chaosYaml(
  redisUrl: string,
  prefix: string,
  simulator: Simulator,
  settings: readonly string[],
): string {
  return [
    `redis: { url: "${redisUrl}", prefix: ${prefix} }`,
    ...settings,
    'nodes:',
    ...simulator.nodes.map((node) => `  - { id: ${node.id}, url: "${node.url}" }`),
  ].join('\n');
}

export const PENDING_STATES = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'active'] as const;

/** Waits until every alerts job and delivery has run (or failed for good): the periodic ones aside. */
export async function alertsDrained(queues: readonly Queue[], timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      for (const queue of queues) {
        const pending = await queue.getJobs([...PENDING_STATES]);
        if (pending.some((job) => job && job.name !== 'evaluate' && job.name !== 'heartbeat')) return false;
      }
      return true;
    },
    'the alerts and notify queues to drain',
    timeoutMs,
    200,
  );
}

/** Node ids a `health-check` job's payload names: a batch's `checks[]` or a single check's `nodeId`. */
export function nodesOfCheckJob(data: unknown): string[] {
  const payload = data as { nodeId?: unknown; checks?: { nodeId?: unknown }[] };
  if (typeof payload.nodeId === 'string') return [payload.nodeId];
  return (payload.checks ?? []).map((check) => String(check.nodeId));
}

export { QUEUE_NAMES };
