/**
 * Alerting's own state in Redis, shared by every process: recent status changes and flapping
 * episodes per node, the mass-failure book (`mass-store.ts`), the mesh_down episode, the channels
 * each incident was routed to, and which alerts were already delivered. Every "exactly once" here
 * is one atomic Redis operation (SET NX, DEL, a Lua script); the decisions are pure and live in
 * the modules beside this one.
 */
import type { Redis } from 'ioredis';
import { exec } from '../runtime/redis-pipeline.js';
import type { ChannelName } from './channels/types.js';
import type { FlappingEpisode } from './flapping.js';
import { type AlertingKeys, alertingKeys } from './keys.js';
import type { FailureStart, MassBook, MassEpisode } from './mass-failure.js';
import { MassStore } from './mass-store.js';
import { silenceKey } from './silence.js';

// KEYS: channels set, closed flag. ARGV: 'open' | 'close', ttl ms, channels...
// open: -1 if the incident's `recovered` was already routed (the alert is stale), else adds the channels.
// close: marks the incident closed and returns the channels its alerts were routed to.
const ROUTE_INCIDENT = `
if ARGV[1] == 'close' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
  return redis.call('SMEMBERS', KEYS[1])
end
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
for i = 3, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
if #ARGV >= 3 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

// KEYS: seen key. ARGV: token, ttl ms. 1 when the token owns the key (first time, or the same job again).
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then return 1 end
return 0
`;

type ScriptedRedis = Redis & {
  alertingRouteIncident(channels: string, closed: string, ...args: string[]): Promise<number | string[]>;
  alertingClaim(key: string, token: string, ttl: number): Promise<number>;
};

/** What an `alerts` job reads about its alert's node and incident, in one round trip. */
export interface AlertReadings {
  silenced: boolean;
  flapping: boolean;
  incidentAnnounced: boolean;
  /** The mass-failure episode the incident is folded into (over or not), or null. */
  foldedInto: string | null;
}

export class AlertingState {
  private readonly redis: ScriptedRedis;
  private readonly mass: MassStore;
  readonly keys: AlertingKeys;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    const scripted = redis as ScriptedRedis;
    if (!('alertingRouteIncident' in redis)) {
      redis.defineCommand('alertingRouteIncident', { numberOfKeys: 2, lua: ROUTE_INCIDENT });
      redis.defineCommand('alertingClaim', { numberOfKeys: 1, lua: CLAIM });
    }
    this.redis = scripted;
    this.keys = alertingKeys(prefix);
    this.mass = new MassStore(redis, this.keys);
  }

  /** Records a node's status change at `at`; returns the change times within the window that ends there. */
  async recordChange(nodeId: string, at: number, to: string, windowMs: number): Promise<number[]> {
    const key = this.keys.changes(nodeId);
    const replies = await exec(
      this.redis
        .multi()
        .zadd(key, at, `${at}:${to}`)
        .zremrangebyscore(key, '-inf', `(${at - windowMs}`)
        .pexpire(key, windowMs * 2)
        .zrangebyscore(key, `(${at - windowMs}`, at, 'WITHSCORES')
        .pexpire(this.keys.flapping(nodeId), windowMs * 2),
    );
    const pairs = replies[3] as string[];
    return pairs.filter((_, index) => index % 2 === 1).map(Number);
  }

  /** Starts a node's flapping episode; false when one is already going on. It expires 2 windows after the last change. */
  async startFlapping(nodeId: string, episode: FlappingEpisode, windowMs: number): Promise<boolean> {
    const set = await this.redis.set(
      this.keys.flapping(nodeId),
      JSON.stringify(episode),
      'PX',
      windowMs * 2,
      'NX',
    );
    return set === 'OK';
  }

  /** Ends a node's flapping episode; true for the one caller that ended it. */
  async endFlapping(nodeId: string): Promise<boolean> {
    return (await this.redis.del(this.keys.flapping(nodeId))) === 1;
  }

  /** Each node's flapping episode or null, in the order given, in one round trip. */
  async flappingOf(nodeIds: readonly string[]): Promise<(FlappingEpisode | null)[]> {
    if (nodeIds.length === 0) return [];
    const values = await this.redis.mget(nodeIds.map((id) => this.keys.flapping(id)));
    return values.map((value) => (value === null ? null : (JSON.parse(value) as FlappingEpisode)));
  }

  /** The failure starts in no mass-failure episode, and the episodes not over yet. */
  async massBook(): Promise<MassBook> {
    return this.mass.book();
  }

  /**
   * Records that a node started failing, in one atomic step however many nodes do at once
   * (`threshold`: `massThreshold` of the mesh); returns the episode it is folded into, or null.
   */
  async recordFailureStart(
    start: FailureStart,
    threshold: number | null,
    windowMs: number,
  ): Promise<string | null> {
    return this.mass.recordFailureStart(start, threshold, windowMs);
  }

  /** Whether another node is failing since within one window before `start` (see `MassStore.othersFailing`). */
  async othersFailing(start: FailureStart, windowMs: number): Promise<boolean> {
    return this.mass.othersFailing(start, windowMs, this.keys.statuses);
  }

  /** Ends a mass-failure episode the caller found over; true for the one caller that ended it. */
  async endMassEpisode(episode: MassEpisode): Promise<boolean> {
    return this.mass.endEpisode(episode);
  }

  /** The episode each incident is folded into, for those folded into one (over or not). */
  async foldedAmong(incidentIds: readonly string[]): Promise<Map<string, string>> {
    return this.mass.foldedAmong(incidentIds);
  }

  /** Those of `incidentIds` that some alert was routed for (to any channel, the log included). */
  async announcedAmong(incidentIds: readonly string[]): Promise<Set<string>> {
    if (incidentIds.length === 0) return new Set();
    const pipeline = this.redis.pipeline();
    for (const id of incidentIds) pipeline.exists(this.keys.incidentChannels(id));
    const replies = await exec(pipeline);
    return new Set(incidentIds.filter((_, index) => replies[index] === 1));
  }

  /** Starts the mesh_down episode; false when one is already on record. */
  async startMeshDown(since: number): Promise<boolean> {
    return (await this.redis.set(this.keys.meshDown, String(since), 'NX')) === 'OK';
  }

  async meshDown(): Promise<number | null> {
    const value = await this.redis.get(this.keys.meshDown);
    return value === null ? null : Number(value);
  }

  /** Ends the mesh_down episode; true for the one caller that ended it. */
  async endMeshDown(): Promise<boolean> {
    return (await this.redis.del(this.keys.meshDown)) === 1;
  }

  /**
   * Claims the delivery of an alert id for `token` (the job that delivers it). A retry of the same
   * job keeps its claim; another job carrying an alert id already delivered gets false.
   */
  async claimDelivery(alertId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.alertingClaim(this.keys.seen(alertId), token, ttlMs)) === 1;
  }

  /** Notes the channels an incident's alert is routed to; false when the incident already ended (a stale alert). */
  async openIncident(incidentId: string, channels: readonly ChannelName[], ttlMs: number): Promise<boolean> {
    const reply = await this.redis.alertingRouteIncident(
      this.keys.incidentChannels(incidentId),
      this.keys.incidentClosed(incidentId),
      'open',
      String(ttlMs),
      ...channels,
    );
    return reply === 1;
  }

  /** Ends an incident for routing; returns the channels any of its alerts was routed to. */
  async closeIncident(incidentId: string, ttlMs: number): Promise<Set<ChannelName>> {
    const reply = await this.redis.alertingRouteIncident(
      this.keys.incidentChannels(incidentId),
      this.keys.incidentClosed(incidentId),
      'close',
      String(ttlMs),
    );
    return new Set(Array.isArray(reply) ? (reply as ChannelName[]) : []);
  }

  /** Notes something tried in an incident (a recovery attempt), for its `recovered` to tell. */
  async noteTried(incidentId: string, what: string, ttlMs: number): Promise<void> {
    const key = this.keys.incidentTried(incidentId);
    await exec(this.redis.multi().rpush(key, what).ltrim(key, -20, -1).pexpire(key, ttlMs));
  }

  /** What was tried in an incident, oldest first. */
  async tried(incidentId: string): Promise<string[]> {
    return this.redis.lrange(this.keys.incidentTried(incidentId), 0, -1);
  }

  async readings(nodeId: string | null, incidentId: string | null): Promise<AlertReadings> {
    const pipeline = this.redis.pipeline();
    pipeline.get(incidentId === null ? this.keys.massFolded('') : this.keys.massFolded(incidentId));
    pipeline.exists(nodeId === null ? this.keys.flapping('') : this.keys.flapping(nodeId));
    pipeline.scard(
      incidentId === null ? this.keys.incidentChannels('') : this.keys.incidentChannels(incidentId),
    );
    pipeline.exists(silenceKey(this.prefix, nodeId ?? ''));
    const [folded, flapping, announced, silenced] = await exec(pipeline);
    return {
      silenced: nodeId !== null && silenced === 1,
      foldedInto: incidentId === null ? null : ((folded as string | null) ?? null),
      flapping: nodeId !== null && flapping === 1,
      incidentAnnounced: incidentId !== null && (announced as number) > 0,
    };
  }

  async publish(message: object): Promise<void> {
    await this.redis.publish(this.keys.events, JSON.stringify(message));
  }
}
