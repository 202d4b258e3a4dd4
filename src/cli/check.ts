/** `gpu-mesh check NODE`: one check now, through the queue, printed. */

import { QUEUE_NAMES } from '../jobs/queues.js';
import { requestCheck } from '../manual/request-check.js';
import { meshNodes } from '../mesh/registry.js';
import { parseNodeArgument } from './arguments.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { connectCli } from './queue-connection.js';

export interface CheckOptions extends GlobalOptions {
  json?: boolean;
}

export async function runCheck(nodeId: string, options: CheckOptions): Promise<number> {
  parseNodeArgument(nodeId);
  const { config } = await loadCliConfig(options);
  const connection = connectCli(config);
  const queue = connection.queue(QUEUE_NAMES.healthCheck);
  const unreachable = connection.unreachable('check');
  try {
    const nodes = await meshNodes(connection.redis, config.redis.prefix, config.nodes).catch(unreachable);
    const node = nodes.find((candidate) => candidate.id === nodeId);
    if (!node)
      throw new UserError(`check: unknown node "${nodeId}" (known: ${nodes.map((n) => n.id).join(', ')})`);
    const checks = config.nodes.find((candidate) => candidate.id === nodeId)?.checks ?? config.checks;
    const summary = await requestCheck(queue, node.id, checks).catch(unreachable);
    if (!summary)
      throw new UserError(`check: no worker answered in time (is \`gpu-mesh start\` running?)`, 3);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else if (summary.skipped) {
      process.stdout.write(`${node.id}: not checked (${summary.skipped})\n`);
    } else if (summary.ok) {
      process.stdout.write(
        `${node.id}: ok in ${summary.latencyMs} ms · Ollama ${summary.version} · ${summary.models} models · ${summary.status}\n`,
      );
    } else {
      process.stdout.write(
        `${node.id}: FAILED in ${summary.latencyMs} ms: ${summary.error} · ${summary.status}\n`,
      );
    }
    return summary.ok ? 0 : 1;
  } finally {
    await connection.close();
  }
}
