/** When an automatic recovery starts: a node turned unhealthy, or the keepalive sweep found one left alone. */
import type { Queue } from 'bullmq';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { autoRecoveryOptions, type RecoveryPayload, recoveryJob } from '../jobs/recovery.js';

export interface TriggerDeps {
  queue: Queue;
  settings(): MeshConfig['recovery'];
  isSilenced(nodeId: string): Promise<boolean>;
  inGrace(nodeId: string): Promise<boolean>;
}

export interface UnhealthyNode {
  node: NodeConfig;
  incidentId: string | null;
  misconfigured: boolean;
}

/**
 * Enqueues the incident's automatic recovery unless the node can't or mustn't be restarted.
 * The job id is the incident's, so asking twice (two processes, the sweep) makes one job, and a
 * recovery that failed its last attempt is not started again in that incident.
 */
export async function requestAutomaticRecovery(target: UnhealthyNode, deps: TriggerDeps): Promise<boolean> {
  const { node, incidentId } = target;
  if (!node.enabled || node.recovery.kind === 'none' || target.misconfigured) return false;
  if ((await deps.isSilenced(node.id)) || (await deps.inGrace(node.id))) return false;
  const payload: RecoveryPayload = { nodeId: node.id, trigger: 'auto', incidentId };
  await deps.queue.add(
    recoveryJob.jobName(node.id),
    payload,
    autoRecoveryOptions(node.id, incidentId, deps.settings()),
  );
  return true;
}
