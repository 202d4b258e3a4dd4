/**
 * The `agent` action: the restart runs on the GPU host, by the agent that consumes the node's
 * `agent-<id>` queue. This side adds one job and polls it (not QueueEvents, which may miss events)
 * until it finishes or `timeout` + a grace period passes; the agent's output is copied into the
 * recovery job's log.
 *
 * A job still waiting when nobody waits any more is removed, so an agent that comes back later
 * does not restart a node long after the fact; the agent also skips jobs past their deadline.
 */
import { Queue } from 'bullmq';
import { Secrets } from '../../config/secrets.js';
import type { NodeConfig } from '../../config/types.js';
import { awaitJob, type JobOutcome } from '../../runtime/await-job.js';
import { type AgentRestartPayload, agentRestartJob, agentRestartResult } from './agent-job.js';
import { oneLine } from './mask.js';
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
  const secrets = deps.secrets ?? new Secrets();
  return {
    kind: 'agent',
    async run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome> {
      const action = recoveryOf(node, 'agent');
      const queue = new Queue<AgentRestartPayload>(agentRestartJob.queue(node.id), {
        connection: deps.connection,
        prefix: deps.prefix,
      });
      queue.on('error', () => {}); // its failures reach us through the calls below; else BullMQ prints stacks
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
        const outcome = await awaitJob<unknown>(
          queue,
          jobId,
          // One deadline for both: a job not taken by then is withdrawn (`not_picked_up`).
          { pickupMs: waitMs, finishMs: 0 },
          { signal: context.signal, pollMs, since: requestedAt },
        );
        await copyAgentLog(queue, jobId, context, secrets);
        const summary = await summaryOf(outcome, { queue, nodeId: node.id, jobId, waitMs }, secrets);
        return { summary: `agent on ${node.id}: ${oneLine(summary, secrets)}` };
      } finally {
        await queue.close();
      }
    },
  };
}

interface AgentRequest {
  queue: Queue;
  nodeId: string;
  jobId: string;
  waitMs: number;
}

/** What the agent reported for a finished restart; every other end of the wait is a one-line error. */
async function summaryOf(
  outcome: JobOutcome<unknown>,
  { queue, nodeId, jobId, waitMs }: AgentRequest,
  secrets: Secrets,
): Promise<string> {
  switch (outcome.kind) {
    case 'completed': {
      const result = agentRestartResult.safeParse(outcome.value);
      return result.success ? result.data.summary : 'done (no summary)';
    }
    case 'failed':
      throw new Error(`agent on ${nodeId}: ${oneLine(outcome.reason, secrets)}`);
    case 'aborted':
      throw new Error(`agent on ${nodeId}: aborted while waiting for the agent`);
    case 'removed':
      throw new Error(`agent on ${nodeId}: its job ${jobId} was removed before it finished`);
    case 'not_picked_up':
      throw notAnsweredError(nodeId, waitMs, nobodyPickedUp(nodeId));
    case 'timed_out':
      throw await notAnswered(queue, nodeId, jobId, waitMs);
  }
}

/**
 * The error for a job taken but not finished in time; one back in the queue (its agent died while
 * running it) is withdrawn like one nobody took.
 */
async function notAnswered(queue: Queue, nodeId: string, jobId: string, waitMs: number): Promise<Error> {
  const state = await queue.getJobState(jobId).catch(() => 'unknown');
  const withdrawn = state === 'waiting' || state === 'prioritized' || state === 'delayed';
  if (withdrawn) await queue.remove(jobId).catch(() => 0);
  return notAnsweredError(nodeId, waitMs, withdrawn ? nobodyPickedUp(nodeId) : `the job is ${state}`);
}

function notAnsweredError(nodeId: string, waitMs: number, why: string): Error {
  return new Error(`agent on ${nodeId} did not answer within ${seconds(waitMs)} (${why})`);
}

function nobodyPickedUp(nodeId: string): string {
  return `nobody picked the job up: is "gpu-mesh start --role agent --node ${nodeId}" running on the GPU host?`;
}

async function copyAgentLog(queue: Queue, jobId: string, context: ActionContext, secrets: Secrets) {
  const { logs } = await queue
    .getJobLogs(jobId, 0, COPIED_LOG_LINES - 1)
    .catch(() => ({ logs: [] as string[] }));
  for (const line of logs) context.log(secrets.mask(`agent: ${line}`));
}
