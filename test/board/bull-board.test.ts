import { Queue, Worker } from 'bullmq';
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
