import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { actionFor, RECOVERY_KINDS, recoveryActions } from '../../src/recovery/actions/index.js';
import { errorOf, nodeWith, recordingContext } from './support.js';

const deps = { connection: { host: '127.0.0.1', port: 1, lazyConnect: true }, prefix: 'unused' };

describe('the recovery action registry', () => {
  it('has exactly one runner for every recovery kind', () => {
    expect(recoveryActions(deps).map((action) => action.kind)).toEqual([...RECOVERY_KINDS]);
    for (const kind of RECOVERY_KINDS) expect(actionFor(kind, deps).kind).toBe(kind);
  });

  it('refuses kind none with an error no retry can help', async () => {
    const error = await errorOf(actionFor('none', deps).run(nodeWith({ kind: 'none' }), recordingContext()));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe('node n1: no recovery configured (recovery.kind is none)');
  });

  it('refuses a node whose recovery is of another kind', async () => {
    const error = await errorOf(
      actionFor('command', deps).run(nodeWith({ kind: 'none' }), recordingContext()),
    );
    expect(error.message).toBe('node n1: recovery kind is none, not command');
  });
});
