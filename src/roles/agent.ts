/**
 * Role `agent`, on a GPU host: runs the node's restart command when a recovery asks for it, and
 * publishes the node's GPU telemetry. Loaded only where it runs.
 */
import type { RoleContext } from './context.js';

export async function startAgentRole(context: RoleContext, nodeId: string | undefined): Promise<void> {
  if (!nodeId) throw new Error('the agent role needs agentNodeId (--node ID)');
  const { startAgent } = await import('../agent/index.js');
  const { redis, prefix, logger, secrets, now } = context;
  context.lifecycle.hold(
    startAgent({ redis, prefix, nodeId, findNode: context.findNode, logger, secrets, now }),
    'agent',
    (agent) => agent.close(),
  );
}
