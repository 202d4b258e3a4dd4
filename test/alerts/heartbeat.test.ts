import { describe, expect, it } from 'vitest';
import { meshIsChecking } from '../../src/jobs/heartbeat.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('meshIsChecking', () => {
  it('is true while some node was checked within staleAfter of its intervals', () => {
    const clocks = [
      { lastCheckAt: T0 - 500_000, interval: 30_000 },
      { lastCheckAt: T0 - 80_000, interval: 30_000 },
    ];
    expect(meshIsChecking(clocks, 3, T0)).toBe(true);
  });

  it('is false once every node went unchecked for longer, and for a mesh never checked', () => {
    expect(meshIsChecking([{ lastCheckAt: T0 - 90_001, interval: 30_000 }], 3, T0)).toBe(false);
    expect(meshIsChecking([{ lastCheckAt: null, interval: 30_000 }], 3, T0)).toBe(false);
    expect(meshIsChecking([], 3, T0)).toBe(false);
  });
});
