/**
 * What a process's watch writes to Redis, batched: every event of one turn of the event loop
 * goes out together (a blip that drops 10,000 connections is a few round trips, not 20,000).
 *
 * A fire enqueues a `health-check` job with reason `watch`. Every scheduler process holds its own
 * connection to each node, so one crash fires in each of them: a short gate per node (SET NX PX,
 * in the same script that counts the fire) keeps the near-simultaneous fires of one event to one
 * check, and BullMQ deduplication (`watch-<node>`) keeps at most one triggered check pending.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type HealthCheckPayload, healthCheckJob } from '../jobs/health-check.js';
import type { WatchState } from '../mesh/view.js';
import { watchStatesKey } from '../mesh/watch-states.js';
import { metricsCountersKey } from '../metrics/keys.js';
import type { Logger } from '../runtime/logger.js';

/** Fires of one node within this long of a passed one are the same event seen by another process. */
export const TRIGGER_GATE_MS = 1000;

/** The counters-hash field of a node's watch-triggered checks (`watch_triggered|<node>`). */
export function watchTriggeredField(nodeId: string): string {
  return `watch_triggered|${nodeId}`;
}

export function watchGateKey(prefix: string, nodeId: string): string {
  return `${prefix}:watch:gate:${nodeId}`;
}

export function watchDeduplicationId(nodeId: string): string {
  return `watch-${nodeId}`;
}

// KEYS[1]: the counters hash; KEYS[2..]: one gate per node. ARGV[1]: gate ms; ARGV[2..]: fields.
// Returns 1 for each node whose fire passed the gate (and was counted), else 0.
const GATE_AND_COUNT = `
local passed = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'PX', ARGV[1], 'NX') then
    redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
    passed[i - 1] = 1
  else
    passed[i - 1] = 0
  end
end
return passed`;

type GateRedis = Redis & {
  watchGateAndCount(...args: (string | number)[]): Promise<number[]>;
};

export class WatchReports {
  private readonly redis: GateRedis;
  private fires = new Set<string>();
  private states = new Map<string, WatchState | null>();
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private lastFailureLogAt = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly queue: Queue,
    private readonly logger: Logger,
    private readonly gateMs = TRIGGER_GATE_MS,
  ) {
    if (!('watchGateAndCount' in redis)) {
      redis.defineCommand('watchGateAndCount', { lua: GATE_AND_COUNT });
    }
    this.redis = redis as GateRedis;
  }

  fire(nodeId: string): void {
    this.fires.add(nodeId);
    this.schedule();
  }

  state(nodeId: string, state: WatchState | null): void {
    this.states.set(nodeId, state);
    this.schedule();
  }

  /** Resolves once everything reported so far is written. */
  flush(): Promise<void> {
    this.scheduled = false;
    const fires = [...this.fires];
    const states = this.states;
    this.fires = new Set();
    this.states = new Map();
    this.flushing = this.flushing.then(() =>
      this.write(fires, states).catch((error: Error) => this.logFailure(error)),
    );
    return this.flushing;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      if (this.scheduled) void this.flush();
    });
  }

  private async write(fires: string[], states: Map<string, WatchState | null>): Promise<void> {
    await Promise.all([this.trigger(fires), this.writeStates(states)]);
  }

  private async trigger(nodeIds: string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    const passed = await this.redis.watchGateAndCount(
      nodeIds.length + 1,
      metricsCountersKey(this.prefix),
      ...nodeIds.map((id) => watchGateKey(this.prefix, id)),
      this.gateMs,
      ...nodeIds.map(watchTriggeredField),
    );
    const triggered = nodeIds.filter((_, index) => passed[index] === 1);
    if (triggered.length === 0) return;
    await this.queue.addBulk(
      triggered.map((nodeId) => {
        const data: HealthCheckPayload = { nodeId, reason: 'watch' };
        return {
          name: healthCheckJob.jobName(nodeId),
          data,
          opts: { ...healthCheckJob.options, deduplication: { id: watchDeduplicationId(nodeId) } },
        };
      }),
    );
  }

  private async writeStates(states: Map<string, WatchState | null>): Promise<void> {
    if (states.size === 0) return;
    const key = watchStatesKey(this.prefix);
    const set: string[] = [];
    const gone: string[] = [];
    for (const [id, state] of states) {
      if (state === null) gone.push(id);
      else set.push(id, state);
    }
    const pipeline = this.redis.pipeline();
    if (set.length > 0) pipeline.hset(key, ...set);
    if (gone.length > 0) pipeline.hdel(key, ...gone);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
  }

  /** One line per minute at most: Redis being down is reported elsewhere too. */
  private logFailure(error: Error): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < 60_000) return;
    this.lastFailureLogAt = now;
    this.logger.warn({ err: error.message }, `keep-alive watch: could not report to Redis: ${error.message}`);
  }
}
