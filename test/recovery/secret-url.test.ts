/**
 * An http recovery whose URL carries its token in the path and query (a restart hook): the token
 * shows up nowhere — not in the job's log, its failed reason, the `recovery_failed` alert, or the
 * log lines (written here by a logger that masks nothing, so the masking is the recovery's own).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { enqueueManualRecovery } from '../../src/manual/request-recovery.js';
import { startTestMesh, type TestMesh } from '../helpers/mesh.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const PATH_TOKEN = 'tok-path-5b7e21';
const QUERY_TOKEN = 'tok-query-0c93d4';

describe('an http recovery with a token in its URL', () => {
  let hook: Server;
  let mesh: TestMesh | undefined;

  afterEach(async () => {
    await mesh?.stop();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  it('keeps the token out of the job log, the failed reason, the recovery_failed alert and the log', async () => {
    // A hook that refuses, quoting the request it got (as error pages do).
    hook = createServer((request, response) => {
      response.writeHead(500).end(`cannot restart: ${request.url}`);
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${PATH_TOKEN}/restart?sig=${QUERY_TOKEN}`;
    mesh = await startTestMesh({
      nodes: 1,
      extraYaml: 'recovery: { attempts: 1, verifyTimeout: 1s }',
      nodeFields: () => `recovery: { kind: http, url: "${hookUrl}", timeout: 2s }`,
    });
    const redis = connectTestRedis();
    const queue = new Queue('recovery', { connection: redis, prefix: mesh.prefix });
    try {
      const [node] = mesh.config.nodes;
      if (!node) throw new Error('no node');
      const jobId = await enqueueManualRecovery(queue, node, Date.now());
      await waitFor(async () => (await queue.getJobState(jobId)) === 'failed', 'the recovery job failed');
      const failedReason = (await queue.getJob(jobId))?.failedReason ?? '';
      const { logs } = await queue.getJobLogs(jobId);
      const serverUrl = mesh.service.server?.url ?? '';
      const alert = await waitFor(async () => {
        const alerts = (await (await fetch(`${serverUrl}/api/alerts?since=1h`)).json()) as Alert[];
        return alerts.find((candidate) => candidate.kind === 'recovery_failed');
      }, 'the recovery_failed alert');

      expect(failedReason).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/\*\*\* answered HTTP 500/);
      expect(alert.message).toContain('/*** answered HTTP 500');
      const everything = [failedReason, ...logs, alert.title, alert.message, ...mesh.logs].join('\n');
      expect(everything).toContain('cannot restart: ***');
      expect(everything).not.toContain(PATH_TOKEN);
      expect(everything).not.toContain(QUERY_TOKEN);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
