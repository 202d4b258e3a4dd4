import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/values/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0s', 0],
    ['1500', 1_500],
    [1500, 1_500],
    [0, 0],
  ] as const)('reads %j as %i milliseconds', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['5 s', '1.5s', '-1s', '5sec', 's', '', '1w', '5S'])('rejects %j with a hint', (input) => {
    expect(() => parseDuration(input)).toThrow('not a duration (use e.g. 500ms, 5s, 1m)');
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow(RangeError);
  });
});
