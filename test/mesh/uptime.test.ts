import { describe, expect, it } from 'vitest';
import { TOTAL_UNIT, unpackBucket, uptimeBucketMs, uptimeMark, uptimeScore } from '../../src/mesh/uptime.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('uptime buckets', () => {
  it('puts a check in the bucket of retain / 48 that holds its start', () => {
    expect(uptimeBucketMs(DAY)).toBe(30 * 60_000);
    const mark = uptimeMark(T0 + 45 * 60_000, true, DAY);
    expect(mark.bucket).toBe(T0 + 30 * 60_000);
    expect(mark.expiredAt).toBe(T0 + 45 * 60_000 - DAY);
  });

  it('counts passes and totals in one counter', () => {
    const passed = uptimeMark(T0, true, DAY).increment;
    const failed = uptimeMark(T0, false, DAY).increment;
    expect(unpackBucket(T0, 3 * passed + 2 * failed)).toEqual([T0, 3, 5]);
    expect(unpackBucket(T0, failed)).toEqual([T0, 0, 1]);
    expect(passed).toBe(TOTAL_UNIT + 1);
  });

  it('scores the share of passed checks inside the retain window, null without checks', () => {
    expect(uptimeScore([], T0, DAY)).toBeNull();
    const buckets = [unpackBucket(T0, 3 * (TOTAL_UNIT + 1) + TOTAL_UNIT)];
    expect(uptimeScore(buckets, T0 + 5000, DAY)).toBe(75);
    expect(uptimeScore(buckets, T0 + 2 * DAY, DAY)).toBeNull();
  });
});
