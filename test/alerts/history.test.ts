import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../src/alerts/history.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { makeAlert } from './helpers.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

describe('AlertHistory', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('lists the alerts of the last sinceMs milliseconds, newest first', async () => {
    const history = new AlertHistory(redis, prefix, { now: () => NOW });
    await history.record(makeAlert({ id: 'old', at: at(90) }));
    await history.record(makeAlert({ id: 'newest', at: at(1) }));
    await history.record(makeAlert({ id: 'middle', at: at(30) }));

    expect((await history.list(3_600_000)).map((alert) => alert.id)).toEqual(['newest', 'middle']);
    expect((await history.list(2 * 3_600_000)).map((alert) => alert.id)).toEqual(['newest', 'middle', 'old']);
    expect(await history.list(1000)).toEqual([]);
  });

  it('returns each alert exactly as recorded, once however often it was recorded', async () => {
    const history = new AlertHistory(redis, prefix, { now: () => NOW });
    const alert = makeAlert({ at: at(5) });
    await history.record(alert);
    await history.record(alert);
    expect(await history.list(3_600_000)).toEqual([alert]);
  });

  it('keeps only the newest alerts past its capacity', async () => {
    const history = new AlertHistory(redis, prefix, { now: () => NOW, capacity: 3 });
    for (let i = 5; i >= 1; i--) await history.record(makeAlert({ id: `a${i}`, at: at(i) }));
    expect((await history.list(3_600_000)).map((alert) => alert.id)).toEqual(['a1', 'a2', 'a3']);
  });
});
