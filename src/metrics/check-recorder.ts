/**
 * Records every finished check, off the check's own path (the health-check job's `onChecked`
 * hook), into two bounded mesh-wide aggregates in one Redis round trip:
 * - the stats window the check started in (counts, latency sum/max/bins), read by the stats job;
 * - the `/metrics` counters: checks by result, check duration and schedule lag histograms.
 * Kept in Redis rather than in the process, so any server process exports the whole mesh's numbers
 * whichever worker process ran the check.
 */
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import { bucketIndex, CHECK_DURATION_BOUNDS, SCHEDULE_LAG_BOUNDS } from './histograms.js';
import { metricsCountersKey, statsWindowKey } from './keys.js';
import { latencyBin } from './latency.js';
import { statsGraceMs, windowIndex, windowTtlMs } from './window.js';

/** What the recorder needs of a check (the health-check job's `CheckSummary` has it). */
export interface FinishedCheck {
  nodeId: string;
  skipped: string | null;
  ok: boolean;
  latencyMs: number | null;
  startedAt: number | null;
  plannedAt: number | null;
}

// KEYS: window hash, counters hash
// ARGV: node, ok, latency ms, latency bin, window ttl ms, duration bucket, duration s, lag bucket ('' = none), lag s
const RECORD_CHECK = `
local w, m, node = KEYS[1], KEYS[2], ARGV[1]
local ok = ARGV[2] == '1'
redis.call('HINCRBY', w, node .. '|n', 1)
if ok then
  redis.call('HINCRBY', w, node .. '|ok', 1)
  redis.call('HINCRBYFLOAT', w, node .. '|sum', ARGV[3])
  local max = tonumber(redis.call('HGET', w, node .. '|max'))
  if (not max) or tonumber(ARGV[3]) > max then redis.call('HSET', w, node .. '|max', ARGV[3]) end
  redis.call('HINCRBY', w, node .. '|b' .. ARGV[4], 1)
end
redis.call('PEXPIRE', w, ARGV[5])
redis.call('HINCRBY', m, 'checks|' .. node .. '|' .. (ok and 'ok' or 'failed'), 1)
redis.call('HINCRBY', m, 'duration|' .. node .. '|' .. ARGV[6], 1)
redis.call('HINCRBYFLOAT', m, 'duration|' .. node .. '|sum', ARGV[7])
if ARGV[8] ~= '' then
  redis.call('HINCRBY', m, 'lag|' .. ARGV[8], 1)
  redis.call('HINCRBYFLOAT', m, 'lag|sum', ARGV[9])
end
return 1
`;

type RecorderRedis = Redis & {
  meshRecordCheck(windowKey: string, countersKey: string, ...args: (string | number)[]): Promise<number>;
};

export class CheckRecorder {
  private readonly redis: RecorderRedis;
  private graceFor: { config: MeshConfig; graceMs: number } | null = null;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly config: () => MeshConfig,
    private readonly logger: Logger,
  ) {
    if (!('meshRecordCheck' in redis)) {
      redis.defineCommand('meshRecordCheck', { numberOfKeys: 2, lua: RECORD_CHECK });
    }
    this.redis = redis as RecorderRedis;
  }

  /** For `onChecked`: never blocks nor fails the check; a lost record only thins the statistics. */
  readonly observe = (_node: unknown, check: FinishedCheck): void => {
    this.record(check).catch((error: Error) =>
      this.logger.warn(
        { node: check.nodeId, err: error.message },
        `check not recorded in the statistics: ${error.message}`,
      ),
    );
  };

  async record(check: FinishedCheck): Promise<void> {
    if (check.skipped !== null || check.startedAt === null || check.latencyMs === null) return;
    const config = this.config();
    const interval = config.stats.interval;
    const latency = Math.max(0, check.latencyMs);
    const seconds = latency / 1000;
    const lag = check.plannedAt === null ? null : Math.max(0, check.startedAt - check.plannedAt) / 1000;
    await this.redis.meshRecordCheck(
      statsWindowKey(this.prefix, interval, windowIndex(check.startedAt, interval)),
      metricsCountersKey(this.prefix),
      check.nodeId,
      check.ok ? '1' : '0',
      String(latency),
      String(latencyBin(latency)),
      windowTtlMs(interval, this.graceMs(config)),
      bucketIndex(seconds, CHECK_DURATION_BOUNDS),
      String(seconds),
      lag === null ? '' : bucketIndex(lag, SCHEDULE_LAG_BOUNDS),
      lag === null ? '0' : String(lag),
    );
  }

  /** Computed once per config (it walks every node), not once per check. */
  private graceMs(config: MeshConfig): number {
    if (this.graceFor?.config !== config) this.graceFor = { config, graceMs: statsGraceMs(config) };
    return this.graceFor.graceMs;
  }
}
