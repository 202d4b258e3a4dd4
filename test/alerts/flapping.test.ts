import { describe, expect, it } from 'vitest';
import { changesWithin, flappingAlert, flappingSettled, isFlapping } from '../../src/alerts/flapping.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const config = { changes: 6, window: 600_000 };
const every = (count: number, stepMs: number) => Array.from({ length: count }, (_, i) => T0 + i * stepMs);

describe('isFlapping', () => {
  it('is false at exactly `changes` changes within the window, true at one more', () => {
    const six = every(6, 30_000);
    expect(isFlapping(six, six[5]!, config)).toBe(false);
    const seven = every(7, 30_000);
    expect(isFlapping(seven, seven[6]!, config)).toBe(true);
  });

  it('only counts the changes inside the window that ends at the latest', () => {
    const spread = every(7, 120_000); // 7 changes over 12 minutes: 5 in the last 10
    expect(changesWithin(spread, spread[6]!, config.window)).toBe(5);
    expect(isFlapping(spread, spread[6]!, config)).toBe(false);
  });
});

describe('flappingSettled', () => {
  it('holds until the node kept one status for a whole window', () => {
    expect(flappingSettled(T0, T0 + 599_999, config)).toBe(false);
    expect(flappingSettled(T0, T0 + 600_000, config)).toBe(true);
  });
});

describe('flappingAlert', () => {
  it('is one WARNING per episode, named after the change that started it', () => {
    const alert = flappingAlert({ id: 'gpu-1', name: 'GPU 1' }, T0, 7, null, config);
    expect(alert).toMatchObject({
      id: `gpu-1:flapping:${T0}`,
      kind: 'flapping',
      severity: 'WARNING',
      nodeId: 'gpu-1',
    });
    expect(alert.message).toContain('7 times within 10 min');
  });
});
