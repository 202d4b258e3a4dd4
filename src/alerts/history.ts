/**
 * The alerts delivered recently, newest first: what `gpu-mesh alerts` and `GET /api/alerts` show.
 * One sorted set per prefix: each member is an alert's JSON, scored by its `at`; recording the
 * same alert again changes nothing, and the oldest are dropped past `capacity`.
 */
import type { Redis } from 'ioredis';
import { alertingKeys } from './keys.js';
import type { Alert } from './types.js';

export interface AlertHistoryOptions {
  /** Alerts kept, the newest. Default 10 000. */
  capacity?: number;
  now?: () => number;
}

const DEFAULT_CAPACITY = 10_000;

export class AlertHistory {
  private readonly key: string;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: AlertHistoryOptions = {},
  ) {
    this.key = alertingKeys(prefix).history;
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.now = options.now ?? Date.now;
  }

  async record(alert: Alert): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.key, Date.parse(alert.at), JSON.stringify(alert))
      .zremrangebyrank(this.key, 0, -(this.capacity + 1))
      .exec();
  }

  /**
   * The alerts of the last `sinceMs` milliseconds (a duration, e.g. 3 600 000 for `?since=1h`),
   * newest first.
   */
  async list(sinceMs: number): Promise<Alert[]> {
    const members = await this.redis.zrevrangebyscore(this.key, '+inf', this.now() - sinceMs);
    return members.map((member) => JSON.parse(member) as Alert);
  }
}
