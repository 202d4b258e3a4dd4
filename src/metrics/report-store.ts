/**
 * Stats reports in Redis: a sorted set scored by the end of each report's window, trimmed to
 * `stats.retain` or 7 d, whichever is longer (the mesh uptime of `GET /api/uptime` looks 7 d back),
 * and to a hard count, whatever the config. The first report of a window stays: a second run for
 * the same window (a new schedule's immediate first run, a retried job) is told so and neither
 * stores nor logs it again. A stored report is also published on `<prefix>:events`
 * (`{"type":"report","report":…}`), which the dashboard's event stream relays as a `report` event.
 */
import type { Redis } from 'ioredis';
import { alertingKeys } from '../alerts/keys.js';
import { reportsKey } from './keys.js';
import type { Report } from './report.js';
import { UPTIME_PERIODS } from './uptime.js';

/** Reports are kept at least this long, whatever `stats.retain` says: the 7 d of the mesh uptime. */
export const MIN_REPORT_RETAIN_MS = UPTIME_PERIODS.d7;

/** Whatever `stats.retain` says, never more reports than this (7 d at a 5-minute interval is 2016). */
export const MAX_REPORTS = 10_000;

// KEYS: reports; ARGV: window end, report JSON, oldest window end kept, max reports, events channel
const SAVE_FIRST = `
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PUBLISH', ARGV[5], '{"type":"report","report":' .. ARGV[2] .. '}')
return 1
`;

/** How long reports are kept under `stats.retain`: it, or 7 d if longer. */
export function reportRetainMs(statsRetainMs: number): number {
  return Math.max(statsRetainMs, MIN_REPORT_RETAIN_MS);
}

export class ReportStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return reportsKey(this.prefix);
  }

  /**
   * Stores the report unless its window has one already, and publishes it; says whether it did.
   * `statsRetainMs` is `stats.retain`: reports older than it and than 7 d are dropped.
   */
  async save(report: Report, statsRetainMs: number): Promise<boolean> {
    const end = Date.parse(report.at);
    const saved = await this.redis.eval(
      SAVE_FIRST,
      1,
      this.key,
      end,
      JSON.stringify(report),
      end - reportRetainMs(statsRetainMs),
      MAX_REPORTS,
      alertingKeys(this.prefix).events,
    );
    return saved === 1;
  }

  async latest(): Promise<Report | null> {
    const [json] = await this.redis.zrange(this.key, '-1', '-1');
    return json === undefined ? null : (JSON.parse(json) as Report);
  }

  /** Reports whose window ended at or after `sinceMs`, newest first. */
  async since(sinceMs: number): Promise<Report[]> {
    const entries = await this.redis.zrevrangebyscore(this.key, '+inf', String(sinceMs));
    return entries.map((json) => JSON.parse(json) as Report);
  }
}
