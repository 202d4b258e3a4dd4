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
// ARGV: window ttl ms, the number of lag buckets L, L pairs (bucket, checks), the checks' summed lag
// in s, then per check 6 values: node, ok, latency ms, latency bin, duration bucket, duration s.
// The lag is mesh-wide, so it is summed per call; everything else is per node. Many checks per call:
// one round trip per batch.
const RECORD_CHECKS = `
local w, m = KEYS[1], KEYS[2]
local lags = tonumber(ARGV[2])
for i = 3, 2 + 2 * lags, 2 do
  redis.call('HINCRBY', m, 'lag|' .. ARGV[i], ARGV[i + 1])
end
if lags > 0 then redis.call('HINCRBYFLOAT', m, 'lag|sum', ARGV[3 + 2 * lags]) end
for i = 4 + 2 * lags, #ARGV, 6 do
  local node, ok = ARGV[i], ARGV[i + 1] == '1'
  redis.call('HINCRBY', w, node .. '|n', 1)
  if ok then
    redis.call('HINCRBY', w, node .. '|ok', 1)
    redis.call('HINCRBYFLOAT', w, node .. '|sum', ARGV[i + 2])
    local max = tonumber(redis.call('HGET', w, node .. '|max'))
    if (not max) or tonumber(ARGV[i + 2]) > max then redis.call('HSET', w, node .. '|max', ARGV[i + 2]) end
    redis.call('HINCRBY', w, node .. '|b' .. ARGV[i + 3], 1)
  end
  redis.call('HINCRBY', m, 'checks|' .. node .. '|' .. (ok and 'ok' or 'failed'), 1)
  redis.call('HINCRBY', m, 'duration|' .. node .. '|' .. ARGV[i + 4], 1)
  redis.call('HINCRBYFLOAT', m, 'duration|' .. node .. '|sum', ARGV[i + 5])
end
redis.call('PEXPIRE', w, ARGV[1])
return 1
`;

/** One stats window's share of a call: the lag histogram summed, the checks one by one. */
interface WindowChecks {
  lags: Map<number, number>;
  lagSum: number;
  checks: (string | number)[];
}

type RecorderRedis = Redis & {
  meshRecordChecks(windowKey: string, countersKey: string, ...args: (string | number)[]): Promise<number>;
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
    if (!('meshRecordChecks' in redis)) {
      redis.defineCommand('meshRecordChecks', { numberOfKeys: 2, lua: RECORD_CHECKS });
    }
    this.redis = redis as RecorderRedis;
  }

  /**
   * For `onChecked`: never blocks nor fails the check; a lost record only thins the statistics.
   * Checks finished in one turn of the event loop (a batch) are written in one round trip.
   */
  readonly observe = (_node: unknown, check: FinishedCheck): void => {
    if (check.skipped !== null || check.startedAt === null || check.latencyMs === null) return;
    this.pending.push(check);
    if (this.pending.length === 1) setImmediate(this.flush);
  };

  private pending: FinishedCheck[] = [];

  private readonly flush = (): void => {
    const checks = this.pending;
    this.pending = [];
    this.record(checks).catch((error: Error) =>
      this.logger.warn(
        { checks: checks.length, err: error.message },
        `checks not recorded in the statistics: ${error.message}`,
      ),
    );
  };

  async record(checks: readonly FinishedCheck[]): Promise<void> {
    const config = this.config();
    const interval = config.stats.interval;
    const byWindow = new Map<number, WindowChecks>();
    for (const check of checks) {
      if (check.skipped !== null || check.startedAt === null || check.latencyMs === null) continue;
      const latency = Math.max(0, check.latencyMs);
      const seconds = latency / 1000;
      const window = windowIndex(check.startedAt, interval);
      let recorded = byWindow.get(window);
      if (!recorded) {
        recorded = { lags: new Map(), lagSum: 0, checks: [] };
        byWindow.set(window, recorded);
      }
      if (check.plannedAt !== null) {
        const lag = Math.max(0, check.startedAt - check.plannedAt) / 1000;
        const bucket = bucketIndex(lag, SCHEDULE_LAG_BOUNDS);
        recorded.lags.set(bucket, (recorded.lags.get(bucket) ?? 0) + 1);
        recorded.lagSum += lag;
      }
      recorded.checks.push(
        check.nodeId,
        check.ok ? '1' : '0',
        String(latency),
        String(latencyBin(latency)),
        bucketIndex(seconds, CHECK_DURATION_BOUNDS),
        String(seconds),
      );
    }
    const ttl = windowTtlMs(interval, this.graceMs(config));
    await Promise.all(
      [...byWindow].map(([window, { lags, lagSum, checks: args }]) =>
        this.redis.meshRecordChecks(
          statsWindowKey(this.prefix, interval, window),
          metricsCountersKey(this.prefix),
          ttl,
          lags.size,
          ...[...lags].flat(),
          ...(lags.size > 0 ? [String(lagSum)] : []),
          ...args,
        ),
      ),
    );
  }

  /** Computed once per config (it walks every node), not once per check. */
  private graceMs(config: MeshConfig): number {
    if (this.graceFor?.config !== config) this.graceFor = { config, graceMs: statsGraceMs(config) };
    return this.graceFor.graceMs;
  }
}
