/**
 * The GPU-host agent (`gpu-mesh start --role agent --node <id>`): runs the node's restart command
 * when the mesh asks (queue `agent-<id>`), and publishes the host's GPU telemetry every
 * `checks.interval` of that node.
 */
import type { Redis } from 'ioredis';
import type { Secrets } from '../config/secrets.js';
import type { NodeConfig } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import { logWorkerEvents } from '../runtime/worker-events.js';
import { readNvidiaSmi } from './nvidia-smi.js';
import { startTelemetryLoop } from './telemetry.js';
import { startAgentWorker } from './worker.js';

/** nvidia-smi answers in well under a second; a hung driver must not hold the loop. */
const NVIDIA_SMI_TIMEOUT_MS = 10_000;

export interface AgentOptions {
  /** A service connection (`maxRetriesPerRequest: null`): the Worker blocks on it. */
  redis: Redis;
  prefix: string;
  nodeId: string;
  findNode(nodeId: string): NodeConfig | undefined;
  logger: Logger;
  /** Masked in the restart command's output: the process's live set (a reload updates it). */
  secrets: Secrets;
  /** Environment of the restart command and nvidia-smi (PATH). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export interface RunningAgent {
  close(): Promise<void>;
}

/** Why `nodeId` cannot have an agent in this config (one line), or null when it can. */
export function agentNodeProblem(nodes: readonly NodeConfig[], nodeId: string): string | null {
  const node = nodes.find((candidate) => candidate.id === nodeId);
  if (!node) {
    const known = nodes.map((candidate) => candidate.id).join(', ') || 'none';
    return `--node ${nodeId}: no such node in the config (nodes: ${known})`;
  }
  if (node.recovery.kind !== 'agent') {
    return `--node ${nodeId}: its recovery.kind is ${node.recovery.kind}; the agent serves nodes with recovery kind agent`;
  }
  return null;
}

export function startAgent(options: AgentOptions): RunningAgent {
  const { redis, prefix, nodeId, logger } = options;
  const now = options.now ?? Date.now;
  const initial = options.findNode(nodeId);
  if (!initial) throw new Error(`agent: node ${nodeId} is not in the config`);
  const worker = startAgentWorker(
    { connection: redis, prefix },
    { nodeId, findNode: options.findNode, secrets: options.secrets, env: options.env, now },
  );
  logWorkerEvents(worker, logger, 'agent', (_job, error) =>
    logger.error({ node: nodeId, err: error.message }, `restart failed: ${error.message}`),
  );
  worker.on('completed', (_job, result) => logger.info({ node: nodeId }, `restart done: ${result.summary}`));
  const telemetry = startTelemetryLoop({
    redis,
    prefix,
    nodeId,
    intervalMs: () => (options.findNode(nodeId) ?? initial).checks.interval,
    read: () => readNvidiaSmi({ timeoutMs: NVIDIA_SMI_TIMEOUT_MS, env: options.env }),
    logger,
    now,
  });
  logger.info(
    { node: nodeId, queue: worker.name },
    `agent for ${nodeId} waiting for restart requests on ${worker.name}`,
  );
  return {
    async close() {
      await telemetry.close();
      await worker.close();
    },
  };
}

export type { GpuTelemetry } from './nvidia-smi.js';
export { parseNvidiaSmiCsv } from './nvidia-smi.js';
export type { TelemetrySnapshot } from './telemetry.js';
export { readTelemetry, telemetryKey } from './telemetry.js';
