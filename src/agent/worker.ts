/**
 * The agent's side of the `agent` action: a Worker on `agent-<node id>` that runs the node's
 * `recovery.command` here, on the GPU host, and returns `{ summary }` or fails with the reason.
 * The command's output goes to the job's log, which the waiting recovery job copies into its own.
 */
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Secrets } from '../config/secrets.js';
import type { NodeConfig } from '../config/types.js';
import {
  type AgentRestartPayload,
  type AgentRestartResult,
  agentRestartJob,
  agentRestartPayload,
} from '../recovery/actions/agent-job.js';
import { runArgv } from '../recovery/actions/command.js';

/** Clocks of two hosts differ: a job is skipped only when it is this much past its deadline. */
const CLOCK_SKEW_MS = 60_000;

export interface AgentWorkerDeps {
  nodeId: string;
  /** The node as the current config has it (reloads apply). */
  findNode(nodeId: string): NodeConfig | undefined;
  /** Masked in the command's output and errors; current (a reload updates it). */
  secrets: Secrets;
  env?: NodeJS.ProcessEnv;
  now(): number;
}

/** Runs one restart request; throws (without retry: attempts is 1) when it cannot or should not. */
export async function runAgentRestart(
  payload: AgentRestartPayload,
  deps: AgentWorkerDeps,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<AgentRestartResult> {
  if (payload.nodeId !== deps.nodeId) {
    throw new UnrecoverableError(`this agent runs for node ${deps.nodeId}, not ${payload.nodeId}`);
  }
  if (deps.now() > payload.deadline + CLOCK_SKEW_MS) {
    throw new UnrecoverableError(
      `restart request arrived after ${new Date(payload.deadline).toISOString()}, when nobody waited for it any more: not run`,
    );
  }
  const node = deps.findNode(deps.nodeId);
  if (!node) throw new UnrecoverableError(`node ${deps.nodeId} is not in this agent's config`);
  if (node.recovery.kind !== 'agent') {
    throw new UnrecoverableError(
      `node ${deps.nodeId}: recovery.kind is ${node.recovery.kind} in this agent's config, not agent`,
    );
  }
  const { summary } = await runArgv({
    argv: node.recovery.command,
    timeoutMs: node.recovery.timeout,
    signal,
    log,
    env: deps.env,
    secrets: deps.secrets,
  });
  return { summary };
}

export function startAgentWorker(
  settings: { connection: ConnectionOptions; prefix: string },
  deps: AgentWorkerDeps,
): Worker<unknown, AgentRestartResult> {
  return new Worker<unknown, AgentRestartResult>(
    agentRestartJob.queue(deps.nodeId),
    async (job: Job<unknown, AgentRestartResult>, _token, signal) => {
      const payload = agentRestartPayload.safeParse(job.data);
      if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
      const writes: Promise<unknown>[] = [];
      const log = (line: string) => writes.push(job.log(line).catch(() => undefined));
      try {
        return await runAgentRestart(payload.data, deps, log, signal ?? new AbortController().signal);
      } finally {
        await Promise.all(writes);
      }
    },
    // One restart at a time: two at once on one host can only fight.
    { connection: settings.connection, prefix: settings.prefix, concurrency: 1 },
  );
}
