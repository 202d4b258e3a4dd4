/** `kind: none`: alert only. The recovery job never runs it; it exists so the registry is total. */
import { UnrecoverableError } from 'bullmq';
import type { NodeConfig } from '../../config/types.js';
import type { ActionOutcome, RecoveryActionRunner } from './types.js';

export const noneAction: RecoveryActionRunner = {
  kind: 'none',
  async run(node: NodeConfig): Promise<ActionOutcome> {
    throw new UnrecoverableError(`node ${node.id}: no recovery configured (recovery.kind is none)`);
  },
};
