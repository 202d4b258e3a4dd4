/** `gpu-mesh silence NODE --for 2h [--reason TEXT]` and `gpu-mesh unsilence NODE`: maintenance windows. */

import { silenceInput } from '../mesh/input.js';
import { meshNodes } from '../mesh/registry.js';
import { silenceNode, unsilenceNode } from '../mesh/silence.js';
import { parseArguments, parseNodeArgument } from './arguments.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { connectCli } from './queue-connection.js';

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
