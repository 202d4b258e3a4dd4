/**
 * Recovery actions: what gpu-mesh does to bring an unhealthy node back (`nodes[].recovery`).
 *
 * Glossary
 * - action: one way of restarting a node, chosen by `recovery.kind` — `command` (argv run here),
 *   `ssh` (argv run on another host), `http` (a restart hook or a cloud API), `agent` (argv run by
 *   `gpu-mesh start --role agent` on the GPU host) or `none` (alert only).
 * - runner: the plugin that performs one kind of action, behind `RecoveryActionRunner`. A runner
 *   knows nothing about the others, about retries or about verifying the node afterwards: the
 *   recovery job does that.
 * - outcome: one line saying what was done; a failure is a thrown Error with a one-line message
 *   (exit code, stderr tail, HTTP status), never quoting a secret.
 */
import type { ConnectionOptions } from 'bullmq';
import type { Secrets } from '../../config/secrets.js';
import type { NodeConfig, RecoveryAction } from '../../config/types.js';

export type RecoveryKind = RecoveryAction['kind'];

/** Every recovery kind, in the order `mesh.yaml` documents them. */
export const RECOVERY_KINDS = [
  'none',
  'command',
  'ssh',
  'http',
  'agent',
] as const satisfies readonly RecoveryKind[];

// Fails to compile when a kind is added to `RecoveryAction` but not to `RECOVERY_KINDS`.
type MissingKinds = Exclude<RecoveryKind, (typeof RECOVERY_KINDS)[number]>;
const allKindsListed: [MissingKinds] extends [never] ? true : MissingKinds = true;
void allKindsListed;

export interface ActionContext {
  /** Aborting it stops the action: a child process is killed, a request is cancelled. */
  signal: AbortSignal;
  /** One line for the recovery job's log (`job.log`); runners mask secrets before calling it. */
  log(line: string): void;
}

export interface ActionOutcome {
  /** One line: what was done, e.g. `systemctl restart ollama exited 0 in 1.2 s`. */
  summary: string;
}

/** One recovery plugin. `run` resolves with what it did, or throws a one-line Error. */
export interface RecoveryActionRunner {
  kind: RecoveryKind;
  run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome>;
}

/** What the runners need from the composition root. */
export interface ActionDeps {
  /** Redis of the mesh (the agent action adds jobs to `agent-<node id>` there). */
  connection: ConnectionOptions;
  /** The mesh's prefix (`redis.prefix`). */
  prefix: string;
  /** Environment of child processes (`PATH` finds `ssh` and the commands). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** The config's secrets, masked in logs and errors on top of each action's own. Default: none. */
  secrets?: Secrets;
  /** How much longer than the action's `timeout` the agent action waits for the agent. Default 10 000 ms. */
  agentGraceMs?: number;
  /** How often the agent action polls its job. Default 250 ms. */
  agentPollMs?: number;
}

/** The node's recovery settings, checked to be of `kind` (a runner given another kind's node is a bug). */
export function recoveryOf<K extends RecoveryKind>(
  node: NodeConfig,
  kind: K,
): Extract<RecoveryAction, { kind: K }> {
  const { recovery } = node;
  if (recovery.kind !== kind) {
    throw new Error(`node ${node.id}: recovery kind is ${recovery.kind}, not ${kind}`);
  }
  return recovery as Extract<RecoveryAction, { kind: K }>;
}

/** `1234` -> `1.2 s`, the way summaries and errors write durations. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
