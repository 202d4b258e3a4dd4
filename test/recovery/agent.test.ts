import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../src/agent/index.js';
import { Secrets } from '../../src/config/secrets.js';
import type { NodeConfig } from '../../src/config/types.js';
import { agentQueueName } from '../../src/jobs/queues.js';
import { actionFor } from '../../src/recovery/actions/index.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { capturingLogger, errorOf, nodeWith, recordingContext, StandIns } from './support.js';

const node = process.execPath;

describe('the agent action', () => {
  let redis: Redis;
  let prefix: string;
  let agent: RunningAgent | null;
  let standIns: StandIns;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    agent = null;
    // An empty PATH folder first: no nvidia-smi from the host interferes with these tests.
    standIns = new StandIns();
  });

  afterEach(async () => {
    await agent?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    standIns.remove();
  });

  /** The agent as `start --role agent --node <id>` runs it, in this process. */
  const startAgentFor = (agentNode: NodeConfig) => {
    agent = startAgent({
      redis,
      prefix,
      nodeId: agentNode.id,
      findNode: (id) => (id === agentNode.id ? agentNode : undefined),
      logger: capturingLogger().logger,
      secrets: Secrets.from(['agent-secret-value']),
      env: { PATH: `${standIns.dir}:/usr/bin:/bin` },
    });
  };

  it('hands the restart to the agent and returns its outcome, with its output in the log', async () => {
    const n1 = nodeWith({
      kind: 'agent',
      command: [node, '-e', "console.log('restarted')"],
      timeout: 10_000,
    });
    startAgentFor(n1);
    const context = recordingContext();
    const outcome = await actionFor('agent', { connection: redis, prefix }).run(n1, context);
    expect(outcome.summary).toMatch(/^agent on n1: .* exited 0 in \d+\.\d s$/);
    expect(context.lines[0]).toMatch(
      /^handed to the agent on n1 \(queue agent-n1, job restart-n1-\d+\); waiting up to 20\.0 s$/,
    );
    expect(context.lines).toContain('agent: stdout: restarted');
  });

  it("fails with the agent's reason when the command fails on the GPU host", async () => {
    const n1 = nodeWith({
      kind: 'agent',
      command: [node, '-e', "console.error('agent-secret-value: unit ollama not found'); process.exit(5)"],
      timeout: 10_000,
    });
    startAgentFor(n1);
    const context = recordingContext();
    const error = await errorOf(actionFor('agent', { connection: redis, prefix }).run(n1, context));
    expect(error.message).toMatch(/^agent on n1: .* exited 5 in \d+\.\d s: \*\*\*: unit ollama not found$/);
    expect(context.lines).toContain('agent: stderr: ***: unit ollama not found');
  });

  it('gives up when no agent answers before the deadline, and withdraws the request', async () => {
    const n1 = nodeWith({ kind: 'agent', command: ['true'], timeout: 100 });
    const started = performance.now();
    const error = await errorOf(
      actionFor('agent', { connection: redis, prefix, agentGraceMs: 300, agentPollMs: 50 }).run(
        n1,
        recordingContext(),
      ),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(
      /^agent on n1 did not answer within 0\.4 s \(nobody picked the job up: is "gpu-mesh start --role agent --node n1" running on the GPU host\?\)$/,
    );
    const queue = new Queue(agentQueueName('n1'), { connection: redis, prefix });
    expect(await queue.getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 0 });
    await queue.close();
  });

  it('stops waiting and withdraws the request when the signal aborts', async () => {
    const n1 = nodeWith({ kind: 'agent', command: ['true'], timeout: 10_000 });
    const context = recordingContext((line, self) => {
      if (line.startsWith('handed to the agent')) self.controller.abort();
    });
    const error = await errorOf(
      actionFor('agent', { connection: redis, prefix, agentPollMs: 50 }).run(n1, context),
    );
    expect(error.message).toBe('agent on n1: aborted while waiting for the agent');
    const queue = new Queue(agentQueueName('n1'), { connection: redis, prefix });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    await queue.close();
  });
});
