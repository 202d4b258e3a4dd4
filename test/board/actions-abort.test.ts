/**
 * `POST /api/nodes/:id/check` and `/recover` wait for their job by polling Redis; a client that
 * hangs up ends the wait at once: nothing keeps polling for it. A check nobody awaits any more is
 * withdrawn; a recovery a person asked for stays queued.
 */
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_NODE, type BoardMesh, startBoardMesh } from './support.js';

/**
 * When the server last read the job `needle` names (a spy on the read each round of the wait
 * makes; ioredis 6 cannot MONITOR).
 */
function watchReads(needle: () => string | null) {
  let lastSeen = Date.now();
  const read = Job.fromId.bind(Job);
  const spy = vi.spyOn(Job, 'fromId').mockImplementation((queue, jobId) => {
    if (jobId === needle()) lastSeen = Date.now();
    return read(queue, jobId);
  });
  return {
    quietFor: (ms: number) => Date.now() - lastSeen >= ms,
    stop: () => spy.mockRestore(),
  };
}

describe('an action whose client hangs up', () => {
  let mesh: BoardMesh;
  let redis: Redis;
  let checks: Queue;
  let recovery: Queue;

  beforeAll(async () => {
    // No worker: the jobs stay unpicked, so the server would poll for the whole pickup time (5 s).
    mesh = await startBoardMesh({ roles: ['server'], withAgentNode: true });
    redis = connectTestRedis();
    checks = new Queue('health-check', { connection: redis, prefix: mesh.prefix });
    recovery = new Queue('recovery', { connection: redis, prefix: mesh.prefix });
  });
  afterAll(async () => {
    await checks?.close();
    await recovery?.close();
    redis?.disconnect();
    await mesh?.stop();
  });

  /** Starts `path`, waits for its job in `queue`, hangs up; returns the job id. */
  async function askAndHangUp(path: string, queue: Queue, watched: { id: string | null }) {
    const client = new AbortController();
    const answer = mesh.get(path, { method: 'POST', signal: client.signal }).catch(() => null);
    const job = await waitFor(async () => (await queue.getJobs(['waiting']))[0], 'the job to be queued');
    watched.id = job.id ?? null;
    client.abort();
    await answer;
    return job.id ?? '';
  }

  it('stops polling for a check, and withdraws it', async () => {
    const watched: { id: string | null } = { id: null };
    const reads = watchReads(() => watched.id);
    try {
      const jobId = await askAndHangUp('/api/nodes/sim-1/check', checks, watched);
      await waitFor(async () => (await checks.getJob(jobId)) === undefined, 'the check withdrawn', 1500);
      await waitFor(() => reads.quietFor(500), 'no more reads of the job', 2000);
    } finally {
      reads.stop();
    }
  });

  it('stops polling for a recovery, which stays queued', async () => {
    const watched: { id: string | null } = { id: null };
    const reads = watchReads(() => watched.id);
    try {
      const jobId = await askAndHangUp(`/api/nodes/${AGENT_NODE}/recover`, recovery, watched);
      await waitFor(() => reads.quietFor(500), 'no more reads of the job', 2000);
      expect(await recovery.getJobState(jobId)).toBe('waiting');
    } finally {
      reads.stop();
    }
  });
});
