/** `gpu-mesh silence NODE --for 2h [--reason TEXT]` and `gpu-mesh unsilence NODE`: maintenance windows. */

import type { MeshConfig } from '../config/types.js';
import { requestEvaluation } from '../jobs/alert-evaluate.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { silenceInput } from '../mesh/input.js';
import { meshNodes } from '../mesh/registry.js';
import { silenceNode, unsilenceNode } from '../mesh/silence.js';
import { parseArguments, parseNodeArgument } from './arguments.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { type CliConnection, connectCli } from './queue-connection.js';

export interface SilenceOptions extends GlobalOptions {
  for: string;
  reason?: string;
}

const SILENCE_OPTIONS = { for: '--for', reason: '--reason' };

export async function runSilence(nodeId: string, options: SilenceOptions): Promise<number> {
  parseNodeArgument(nodeId);
  const { config } = await loadCliConfig(options);
  const { for: forMs, reason = '' } = parseArguments(
    silenceInput(config.alerts.maxSilence),
    { for: options.for, reason: options.reason },
    SILENCE_OPTIONS,
  );
  const connection = connectCli(config);
  try {
    await requireNode(connection, config, nodeId);
    const silence = await silenceNode(
      connection.redis,
      config.redis.prefix,
      nodeId,
      forMs,
      reason,
      Date.now(),
    ).catch(connection.unreachable('silence'));
    await evaluateNow(connection, config);
    process.stdout.write(
      `${nodeId}: silenced until ${silence.until}${silence.reason ? ` (${silence.reason})` : ''}\n`,
    );
    return 0;
  } finally {
    await connection.close();
  }
}

export async function runUnsilence(nodeId: string, options: GlobalOptions): Promise<number> {
  parseNodeArgument(nodeId);
  const { config } = await loadCliConfig(options);
  const connection = connectCli(config);
  try {
    await requireNode(connection, config, nodeId);
    const removed = await unsilenceNode(connection.redis, config.redis.prefix, nodeId).catch(
      connection.unreachable('unsilence'),
    );
    if (removed) await evaluateNow(connection, config);
    process.stdout.write(`${nodeId}: ${removed ? 'silence removed' : 'was not silenced'}\n`);
    return 0;
  } finally {
    await connection.close();
  }
}

async function requireNode(
  connection: ReturnType<typeof connectCli>,
  config: Parameters<typeof connectCli>[0],
  nodeId: string,
): Promise<void> {
  const nodes = await meshNodes(connection.redis, config.redis.prefix, config.nodes).catch(
    connection.unreachable('silence'),
  );
  if (!nodes.some((node) => node.id === nodeId)) {
    throw new UserError(`unknown node "${nodeId}" (known: ${nodes.map((n) => n.id).join(', ')})`);
  }
}

/** Silenced nodes do not count for mesh_down: the time-based rules look again. */
async function evaluateNow(connection: CliConnection, config: MeshConfig): Promise<void> {
  const queue = connection.queue(QUEUE_NAMES.alerts);
  await requestEvaluation(queue, config, Date.now(), Date.now()).catch(connection.unreachable('silence'));
}
