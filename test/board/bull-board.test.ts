import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_NODE, type BoardMesh, startBoardMesh } from './support.js';

const MESH_QUEUES = [
  'health-check',
  'keepalive',
  'recovery',
  'stats',
  'alerts',
  'notify',
  `agent-${AGENT_NODE}`,
];

describe('Bull Board at /board', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({ withAgentNode: true });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('serves its page under /board', async () => {
    const response = await mesh.get('/board/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<base href="/board/"');
  });

  it('lists every queue of the mesh, agent queues included', async () => {
    const response = await mesh.get('/board/api/queues');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual([...MESH_QUEUES].sort());
    expect(body.queues.every((queue) => !queue.readOnlyMode)).toBe(true);
  });

  it('retries a failed job, which then completes', async () => {
    const name = `agent-${AGENT_NODE}`;
    const redis = connectTestRedis();
    const queue = new Queue(name, { connection: redis, prefix: mesh.prefix });
    let runs = 0;
    const worker = new Worker(
      name,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('restart command exited with 1');
        return 'restarted';
      },
      { connection: redis, prefix: mesh.prefix },
    );
    try {
      const job = await queue.add('restart gpu-agent', { command: ['systemctl', 'restart', 'ollama'] });
      await waitFor(async () => (await queue.getJobState(job.id ?? '')) === 'failed', 'the job failed');

      const response = await mesh.get(`/board/api/queues/${name}/${job.id}/retry`, { method: 'PUT' });
      expect(response.status).toBe(204);

      await waitFor(
        async () => (await queue.getJobState(job.id ?? '')) === 'completed',
        'the retried job completed',
      );
      expect(runs).toBe(2);
    } finally {
      await worker.close();
      await queue.close();
      redis.disconnect();
    }
  });
});

describe('Bull Board on the mesh queues (SPEC Guarantee 7)', () => {
  const AGENT_QUEUE = `agent-${AGENT_NODE}`;
  const SCHEDULER = 'test-scheduler';
  let mesh: BoardMesh;
  let redis: Redis;
  let checks: Queue;
  let agent: Queue;
  let jobId: string;

  /** Everything a refused request could have changed. */
  async function queueState() {
    const job = await agent.getJob(jobId);
    return {
      checksPaused: await checks.isPaused(),
      agentPaused: await agent.isPaused(),
      checkCounts: await checks.getJobCounts(),
      agentCounts: await agent.getJobCounts(),
      job: { data: job?.data, delay: job?.delay, priority: job?.priority, state: await job?.getState() },
      schedulers: (await agent.getJobSchedulers()).map(({ key, every }) => ({ key, every })),
      concurrency: await checks.getGlobalConcurrency(),
    };
  }

  beforeAll(async () => {
    // No worker in this process: every job stays where the test puts it.
    mesh = await startBoardMesh({ withAgentNode: true, roles: ['server'] });
    redis = connectTestRedis();
    checks = new Queue('health-check', { connection: redis, prefix: mesh.prefix });
    agent = new Queue(AGENT_QUEUE, { connection: redis, prefix: mesh.prefix });
    jobId = (await agent.add('restart', { command: ['true'] }, { delay: 3_600_000 })).id ?? '';
    await agent.upsertJobScheduler(SCHEDULER, { every: 3_600_000 }, { name: 'scheduled', data: {} });
  });
  afterAll(async () => {
    await checks?.close();
    await agent?.close();
    redis?.disconnect();
    await mesh?.stop();
  });

  const refused = (): [string, string, object?][] => [
    ['PUT', '/board/api/queues/pause'],
    ['PUT', '/board/api/queues/resume'],
    ['PUT', '/board/api/queues/health-check/pause'],
    ['PUT', '/board/api/queues/health-check/PAUSE'],
    ['PUT', '/board/api/queues/health-check/pause/'],
    ['PUT', '/board/api/queues/health-check/resume'],
    ['POST', '/board/api/queues/notify/add', { name: 'forged', data: { channel: 'slack' } }],
    ['POST', `/board/api/queues/${AGENT_QUEUE}/add`, { name: 'restart', data: { command: ['rm'] } }],
    ['PUT', '/board/api/queues/health-check/concurrency', { concurrency: 1 }],
    ['PUT', '/board/api/queues/health-check/rate-limit', { max: 1, duration: 60_000 }],
    ['PUT', '/board/api/queues/health-check/rate-limit/release'],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/empty`],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/obliterate`, {}],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/clean/paused`],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/clean/wait`],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/clean/active`],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/job-schedulers/${SCHEDULER}/remove`],
    ['PATCH', `/board/api/queues/${AGENT_QUEUE}/job-schedulers/${SCHEDULER}`, { every: 1000 }],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/job-schedulers/${SCHEDULER}/run`],
    ['PATCH', `/board/api/queues/${AGENT_QUEUE}/${jobId}/update-data`, { data: { command: ['rm'] } }],
    ['PATCH', `/board/api/queues/${AGENT_QUEUE}/${jobId}/delay`, { delay: 1 }],
    ['PATCH', `/board/api/queues/${AGENT_QUEUE}/${jobId}/priority`, { priority: 1 }],
    ['PUT', `/board/api/queues/${AGENT_QUEUE}/${jobId}/remove-unprocessed-children`],
  ];

  it('refuses every other change with 403, leaves the queues as they were, and still shows them', async () => {
    const before = await queueState();
    expect(before.job.state).toBe('delayed');
    expect(before.schedulers).toEqual([{ key: SCHEDULER, every: 3_600_000 }]);
    for (const [method, path, body] of refused()) {
      const response = await mesh.get(path, {
        method,
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.headers.get('content-type'), `${method} ${path}`).toMatch(/application\/json/);
      const answer = (await response.json()) as { message?: string };
      expect(answer.message, `${method} ${path}`).toMatch(
        /^gpu-mesh (allows only retry, promote and clean|cleans only)/,
      );
    }
    expect(await queueState()).toEqual(before);
    expect((await mesh.get('/board/api/queues')).status).toBe(200);
    expect((await mesh.get(`/board/api/queues/${AGENT_QUEUE}/${jobId}`)).status).toBe(200);
    expect((await mesh.get('/board/api/job-schedulers')).status).toBe(200);
  });

  it('promotes a delayed job, and all delayed jobs of a queue', async () => {
    const one = await agent.add('restart', {}, { delay: 3_600_000 });
    const response = await mesh.get(`/board/api/queues/${AGENT_QUEUE}/${one.id}/promote`, { method: 'PUT' });
    expect(response.status).toBeLessThan(300);
    expect(await one.getState()).toBe('waiting');

    const other = await agent.add('restart', {}, { delay: 3_600_000 });
    const all = await mesh.get(`/board/api/queues/${AGENT_QUEUE}/promote`, { method: 'PUT' });
    expect(all.status).toBeLessThan(300);
    expect(await other.getState()).toBe('waiting');
    await one.remove();
    await other.remove();
  });

  it('cleans failed jobs, one or all, and retries all failed ones', async () => {
    const recovery = new Queue('recovery', { connection: redis, prefix: mesh.prefix });
    const failing = new Worker(
      'recovery',
      async () => {
        throw new Error('restart command exited with 1');
      },
      { connection: redis, prefix: mesh.prefix },
    );
    try {
      const jobs = await Promise.all([1, 2, 3, 4].map((n) => recovery.add(`recover ${n}`, {})));
      await waitFor(async () => (await recovery.getJobCounts('failed')).failed === 4, 'four failed jobs');
      await failing.pause();
      const [first, second] = jobs.map((job) => job.id ?? '');

      const one = await mesh.get(`/board/api/queues/recovery/${first}/clean`, { method: 'PUT' });
      expect(one.status).toBe(204);
      expect(await recovery.getJob(first ?? '')).toBeUndefined();

      const retriedOne = await mesh.get(`/board/api/queues/recovery/${second}/retry`, { method: 'PUT' });
      expect(retriedOne.status).toBe(204);
      expect(await recovery.getJobState(second ?? '')).toBe('waiting');

      const retriedAll = await mesh.get('/board/api/queues/recovery/retry/failed', { method: 'PUT' });
      expect(retriedAll.status).toBe(200);
      expect(await recovery.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 3 });

      // Bull Board's "clean all" leaves jobs younger than its grace of 5 s: the route answers, nothing else.
      const cleanAll = await mesh.get('/board/api/queues/recovery/clean/failed', { method: 'PUT' });
      expect(cleanAll.status).toBe(200);
    } finally {
      await failing.close();
      await recovery.obliterate({ force: true });
      await recovery.close();
    }
  });
});
