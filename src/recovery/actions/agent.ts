/**
 * The `agent` action: the restart runs on the GPU host, by the agent that consumes the node's
 * `agent-<id>` queue. This side adds one job and polls it (not QueueEvents, which may miss events)
 * until it finishes or `timeout` + a grace period passes; the agent's output is copied into the
 * recovery job's log.
 *
 * A job still waiting when nobody waits any more is removed, so an agent that comes back later
 * does not restart a node long after the fact; the agent also skips jobs past their deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Queue } from 'bullmq';
import type { NodeConfig } from '../../config/types.js';
import { type AgentRestartPayload, agentRestartJob, agentRestartResult } from './agent-job.js';
import { maskSecrets, oneLine } from './mask.js';
import {
  type ActionContext,
  type ActionDeps,
  type ActionOutcome,
  type RecoveryActionRunner,
  recoveryOf,
  seconds,
} from './types.js';

const DEFAULT_GRACE_MS = 10_000;
const DEFAULT_POLL_MS = 250;
/** Lines of the agent's job log copied into the recovery job's log. */
const COPIED_LOG_LINES = 200;

export function createAgentAction(deps: ActionDeps): RecoveryActionRunner {
  const graceMs = deps.agentGraceMs ?? DEFAULT_GRACE_MS;
  const pollMs = deps.agentPollMs ?? DEFAULT_POLL_MS;
  const secrets = deps.secrets ?? [];
  return {
    kind: 'agent',
    async run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome> {
      const action = recoveryOf(node, 'agent');
      const queue = new Queue<AgentRestartPayload>(agentRestartJob.queue(node.id), {
        connection: deps.connection,
        prefix: deps.prefix,
      });
      try {
        const requestedAt = Date.now();
        const waitMs = action.timeout + graceMs;
        const jobId = agentRestartJob.jobId(node.id, requestedAt);
        await queue.add(
          agentRestartJob.jobName(node.id),
          { nodeId: node.id, deadline: requestedAt + waitMs },
          { ...agentRestartJob.options, jobId },
        );
        context.log(
          `handed to the agent on ${node.id} (queue ${queue.name}, job ${jobId}); waiting up to ${seconds(waitMs)}`,
        );
        const job = await waitForFinish(queue, jobId, requestedAt + waitMs, pollMs, context.signal);
        await copyAgentLog(queue, jobId, context, secrets);
        if (job === 'aborted') throw new Error(`agent on ${node.id}: aborted while waiting for the agent`);
        if (job === 'vanished')
          throw new Error(`agent on ${node.id}: its job ${jobId} was removed before it finished`);
        if (job === 'timeout') throw await notAnswered(queue, node.id, jobId, waitMs);
        if (job.failedReason) throw new Error(`agent on ${node.id}: ${oneLine(job.failedReason, secrets)}`);
        const result = agentRestartResult.safeParse(job.returnvalue);
        const summary = result.success ? result.data.summary : 'done (no summary)';
        return { summary: `agent on ${node.id}: ${oneLine(summary, secrets)}` };
      } finally {
        await queue.close();
      }
    },
  };
}

type Waited = Job<AgentRestartPayload> | 'timeout' | 'aborted' | 'vanished';

async function waitForFinish(
  queue: Queue<AgentRestartPayload>,
  jobId: string,
  deadline: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<Waited> {
  for (;;) {
    const job = await Job.fromId<AgentRestartPayload>(queue, jobId);
    if (!job) return 'vanished';
    if (job.finishedOn) return job;
    if (signal.aborted) {
      // Withdrawn unless the agent already runs it (a locked job is not removed).
      await queue.remove(jobId).catch(() => 0);
      return 'aborted';
    }
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    // Aborting ends the pause early; the next round sees the signal.
    await sleep(Math.min(pollMs, left), undefined, { signal }).catch(() => undefined);
  }
}

/** The error for an agent that never answered; a job nobody picked up is withdrawn. */
async function notAnswered(queue: Queue, nodeId: string, jobId: string, waitMs: number): Promise<Error> {
  const state = await queue.getJobState(jobId).catch(() => 'unknown');
  const withdrawn = state === 'waiting' || state === 'prioritized' || state === 'delayed';
  if (withdrawn) await queue.remove(jobId).catch(() => 0);
  const why = withdrawn
    ? `nobody picked the job up: is "gpu-mesh start --role agent --node ${nodeId}" running on the GPU host?`
    : `the job is ${state}`;
  return new Error(`agent on ${nodeId} did not answer within ${seconds(waitMs)} (${why})`);
}

async function copyAgentLog(queue: Queue, jobId: string, context: ActionContext, secrets: readonly string[]) {
  const { logs } = await queue
    .getJobLogs(jobId, 0, COPIED_LOG_LINES - 1)
    .catch(() => ({ logs: [] as string[] }));
  for (const line of logs) context.log(maskSecrets(`agent: ${line}`, secrets));
}
