/**
 * Stats reports in Redis: a sorted set scored by the end of each report's window, trimmed to
 * `stats.retain` (and to a hard count, whatever the config). The first report of a window stays:
 * a second run for the same window (a new schedule's immediate first run, a retried job) is told so
 * and neither stores nor logs it again.
 */
import type { Redis } from 'ioredis';
import { reportsKey } from './keys.js';
import type { Report } from './report.js';

/** Whatever `stats.retain` says, never more reports than this. */
export const MAX_REPORTS = 10_000;

// KEYS: reports; ARGV: window end, report JSON, oldest window end kept, max reports
const SAVE_FIRST = `
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
return 1
`;

export class ReportStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return reportsKey(this.prefix);
  }

  /** Stores the report unless its window has one already; says whether it did. */
  async save(report: Report, retainMs: number): Promise<boolean> {
    const end = Date.parse(report.at);
    const saved = await this.redis.eval(
      SAVE_FIRST,
      1,
      this.key,
      end,
      JSON.stringify(report),
      end - retainMs,
      MAX_REPORTS,
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
