/**
 * The `ssh` action: the argv runs on `host` through the system's `ssh`, never asking for a
 * password (`BatchMode=yes`: keys or an agent only) and giving up on an unreachable host quickly.
 *
 * ssh hands the remote shell one string, the words joined by spaces, so each word is quoted for
 * that shell (`quoteArg`): `[echo, "a; b"]` prints `a; b` on the host instead of running `b`.
 */
import type { NodeConfig } from '../../config/types.js';
import { CommandError, formatArgv, quoteArg, runArgv } from './command.js';
import {
  type ActionContext,
  type ActionDeps,
  type ActionOutcome,
  type RecoveryActionRunner,
  recoveryOf,
} from './types.js';

/** ssh's own exit code for "could not connect or log in". */
const SSH_FAILED = 255;
const MAX_CONNECT_TIMEOUT_S = 10;

/** The argv run locally: `ssh -o BatchMode=yes -o ConnectTimeout=<s> <host> -- <quoted words>`. */
export function sshArgv(host: string, command: readonly string[], timeoutMs: number): string[] {
  if (host.startsWith('-'))
    throw new Error(`ssh host "${host}" starts with "-" (it would be read as an option)`);
  const connectTimeout = Math.max(1, Math.min(MAX_CONNECT_TIMEOUT_S, Math.ceil(timeoutMs / 1000)));
  return [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${connectTimeout}`,
    host,
    '--',
    ...command.map(quoteArg),
  ];
}

export function createSshAction(deps: Pick<ActionDeps, 'env' | 'secrets'>): RecoveryActionRunner {
  return {
    kind: 'ssh',
    async run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome> {
      const action = recoveryOf(node, 'ssh');
      try {
        const { summary } = await runArgv({
          argv: sshArgv(action.host, action.command, action.timeout),
          label: `ssh ${action.host} -- ${formatArgv(action.command)}`,
          timeoutMs: action.timeout,
          signal: context.signal,
          log: context.log,
          env: deps.env,
          secrets: deps.secrets,
        });
        return { summary };
      } catch (error) {
        if (error instanceof CommandError && error.exitCode === SSH_FAILED) {
          throw new CommandError(
            `${error.message} (255 is usually ssh itself failing to connect or log in: check the host, its key and known_hosts)`,
            error.failure,
            error.exitCode,
          );
        }
        throw error;
      }
    },
  };
}
