import { describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { findStalled } from '../../src/jobs/sweep.js';
import { initialState, type NodeState } from '../../src/mesh/state.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const node = { id: 'n1', checks: { interval: 10_000 } } as NodeConfig;
const checkedAt = (at: number | null): NodeState => ({ ...initialState(), lastCheckAt: at });

describe('findStalled', () => {
  it('reports a node whose last check is older than staleAfter intervals', () => {
    const stalled = findStalled([node], [checkedAt(T0)], 3, T0 + 31_000, T0 - 60_000);
    expect(stalled).toEqual([{ node, lastCheckAt: T0, silentForMs: 31_000 }]);
  });

  it('leaves a node checked recently enough alone', () => {
    expect(findStalled([node], [checkedAt(T0)], 3, T0 + 29_000, T0 - 60_000)).toEqual([]);
  });

  it('does not judge a node never checked', () => {
    expect(findStalled([node], [checkedAt(null)], 3, T0 + 100_000, T0 - 200_000)).toEqual([]);
  });

  it('gives a process that just started staleAfter intervals before judging old checks', () => {
    expect(findStalled([node], [checkedAt(T0 - 3_600_000)], 3, T0 + 20_000, T0)).toEqual([]);
    expect(findStalled([node], [checkedAt(T0 - 3_600_000)], 3, T0 + 31_000, T0)).toHaveLength(1);
  });
});
