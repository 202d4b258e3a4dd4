/**
 * The job the `agent` action hands to the GPU host: queue `agent-<node id>`, one job per restart.
 * The agent (`gpu-mesh start --role agent --node <id>`) runs its own config's `recovery.command`
 * for that node; the job carries only who it is for and until when anyone waits for it.
 */
import { z } from 'zod';
import { agentQueueName, safeJobId } from '../../jobs/queues.js';

export const agentRestartPayload = z.object({
  nodeId: z.string(),
  /** Epoch ms after which nobody waits for the outcome: an agent that gets the job later skips it. */
  deadline: z.number(),
});
export type AgentRestartPayload = z.infer<typeof agentRestartPayload>;

/** What a completed agent job returns. */
export const agentRestartResult = z.object({ summary: z.string() });
export type AgentRestartResult = z.infer<typeof agentRestartResult>;

export const agentRestartJob = {
  queue: agentQueueName,
  jobName: (nodeId: string) => `restart ${nodeId}`,
  /** One per request: `restart-<node id>-<epoch ms>`. */
  jobId: (nodeId: string, requestedAt: number) => safeJobId('restart', nodeId, requestedAt),
  options: {
    attempts: 1,
    removeOnComplete: { age: 24 * 3600, count: 100 },
    removeOnFail: { age: 7 * 24 * 3600, count: 100 },
  },
} as const;
