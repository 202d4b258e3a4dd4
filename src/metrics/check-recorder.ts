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
// ARGV: window ttl ms, then per check 8 values: node, ok, latency ms, latency bin, duration bucket,
// duration s, lag bucket ('' = none), lag s. Many checks per call: one round trip per batch.
const RECORD_CHECKS = `
local w, m = KEYS[1], KEYS[2]
for i = 2, #ARGV, 8 do
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
  if ARGV[i + 6] ~= '' then
    redis.call('HINCRBY', m, 'lag|' .. ARGV[i + 6], 1)
    redis.call('HINCRBYFLOAT', m, 'lag|sum', ARGV[i + 7])
  end
end
redis.call('PEXPIRE', w, ARGV[1])
return 1
`;

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
    const byWindow = new Map<number, (string | number)[]>();
    for (const check of checks) {
      if (check.skipped !== null || check.startedAt === null || check.latencyMs === null) continue;
      const latency = Math.max(0, check.latencyMs);
      const seconds = latency / 1000;
      const lag = check.plannedAt === null ? null : Math.max(0, check.startedAt - check.plannedAt) / 1000;
      const window = windowIndex(check.startedAt, interval);
      const args = byWindow.get(window) ?? [];
      args.push(
        check.nodeId,
        check.ok ? '1' : '0',
        String(latency),
        String(latencyBin(latency)),
        bucketIndex(seconds, CHECK_DURATION_BOUNDS),
        String(seconds),
        lag === null ? '' : bucketIndex(lag, SCHEDULE_LAG_BOUNDS),
        lag === null ? '0' : String(lag),
      );
      byWindow.set(window, args);
    }
    const ttl = windowTtlMs(interval, this.graceMs(config));
    await Promise.all(
      [...byWindow].map(([window, args]) =>
        this.redis.meshRecordChecks(
          statsWindowKey(this.prefix, interval, window),
          metricsCountersKey(this.prefix),
          ttl,
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
