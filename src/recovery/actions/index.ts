/**
 * The recovery actions, one plugin per `recovery.kind` (`recoveryActions(deps)` is the plain list).
 * The recovery job asks `actionFor(node.recovery.kind, deps)` and runs it; nothing else dispatches.
 */
import type { NodeConfig } from '../../config/types.js';
import { assertNever } from '../../mesh/types.js';
import { createAgentAction } from './agent.js';
import { createCommandAction } from './command.js';
import { createHttpAction } from './http.js';
import { noneAction } from './none.js';
import { createSshAction } from './ssh.js';
import {
  type ActionContext,
  type ActionDeps,
  type ActionOutcome,
  RECOVERY_KINDS,
  type RecoveryActionRunner,
  type RecoveryKind,
} from './types.js';

/**
 * The runner for `kind`. `deps` carries what the runners need from the composition root — the
 * agent action adds jobs to Redis, so there is no deps-less form: build `deps` once
 * (`{ connection: redis, prefix, secrets }`, `secrets` a live `Secrets`) and pass it every time.
 */
export function actionFor(kind: RecoveryKind, deps: ActionDeps): RecoveryActionRunner {
  switch (kind) {
    case 'none':
      return noneAction;
    case 'command':
      return createCommandAction(deps);
    case 'ssh':
      return createSshAction(deps);
    case 'http':
      return createHttpAction(deps);
    case 'agent':
      return createAgentAction(deps);
    default:
      return assertNever(kind);
  }
}

/** Every runner, one per kind, in `RECOVERY_KINDS` order (what a startup check or a listing walks). */
export function recoveryActions(deps: ActionDeps): RecoveryActionRunner[] {
  return RECOVERY_KINDS.map((kind) => actionFor(kind, deps));
}

/** Runs the node's configured action. */
export function runRecoveryAction(
  node: NodeConfig,
  context: ActionContext,
  deps: ActionDeps,
): Promise<ActionOutcome> {
  return actionFor(node.recovery.kind, deps).run(node, context);
}

export { CommandError, runArgv } from './command.js';
export type {
  ActionContext,
  ActionDeps,
  ActionOutcome,
  RecoveryActionRunner,
  RecoveryKind,
} from './types.js';
export { RECOVERY_KINDS } from './types.js';
