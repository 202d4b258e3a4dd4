/** `gpu-mesh recover NODE [--no-wait]`: a manual recovery now, even of a healthy node. */

import { QUEUE_NAMES } from '../jobs/queues.js';
import { awaitRecovery, enqueueManualRecovery } from '../manual/request-recovery.js';
import { parseNodeArgument } from './arguments.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { connectCli } from './queue-connection.js';

export interface RecoverOptions extends GlobalOptions {
  /** commander's `--no-wait` sets `wait: false`. */
  wait: boolean;
}

export async function runRecover(nodeId: string, options: RecoverOptions): Promise<number> {
  parseNodeArgument(nodeId);
  const { config } = await loadCliConfig(options);
  const node = config.nodes.find((candidate) => candidate.id === nodeId);
  if (!node)
    throw new UserError(
      `recover: unknown node "${nodeId}" (known: ${config.nodes.map((n) => n.id).join(', ')})`,
    );
  if (node.recovery.kind === 'none') {
    throw new UserError(
      `recover: node ${node.id} has no recovery configured (nodes[].recovery.kind is none)`,
    );
  }
  const connection = connectCli(config);
  try {
    const queue = connection.queue(QUEUE_NAMES.recovery);
    const jobId = await enqueueManualRecovery(queue, node, Date.now()).catch(
      connection.unreachable('recover'),
    );
    if (!options.wait) {
      process.stdout.write(`${node.id}: recovery queued (job ${jobId})\n`);
      return 0;
    }
    const outcome = await awaitRecovery(queue, jobId, node, config.recovery).catch(
      connection.unreachable('recover'),
    );
    switch (outcome.kind) {
      case 'completed':
        process.stdout.write(`${node.id}: ${outcome.value.outcome}: ${outcome.value.summary}\n`);
        return outcome.value.outcome === 'recovered' ? 0 : 1;
      case 'failed':
        process.stdout.write(`${node.id}: recovery FAILED: ${outcome.reason}\n`);
        return 1;
      case 'not_picked_up':
        throw new UserError('recover: no worker answered in time (is `gpu-mesh start` running?)', 3);
      case 'timed_out':
        throw new UserError(`recover: job ${jobId} is still running; see it in Bull Board`, 3);
      case 'aborted':
        throw new Error('recover: the wait was aborted, but nothing aborts it here');
    }
  } finally {
    await connection.close();
  }
}
