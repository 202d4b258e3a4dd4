/**
 * Alerting's own state in Redis, shared by every process: recent status changes and flapping
 * episodes per node, the mass-failure book, the mesh_down episode, the channels each incident was
 * routed to, and which alerts were already delivered. Every "exactly once" here is one atomic
 * Redis operation (SET NX, DEL, a compare-and-set, a Lua script); the decisions are pure and live
 * in the modules beside this one.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { ChannelName } from './channels/types.js';
import type { FlappingEpisode } from './flapping.js';
import { type AlertingKeys, alertingKeys } from './keys.js';
import { emptyBook, type MassBook } from './mass-failure.js';
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

// KEYS: document hash. ARGV: expected version, new JSON. 1 when written.
const COMPARE_AND_SET = `
if (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 's', ARGV[2])
return 1
`;

type ScriptedRedis = Redis & {
  alertingRouteIncident(channels: string, closed: string, ...args: string[]): Promise<number | string[]>;
  alertingClaim(key: string, token: string, ttl: number): Promise<number>;
  alertingCompareAndSet(key: string, version: string, json: string): Promise<number>;
};

const MAX_CAS_ATTEMPTS = 50;

/** What an `alerts` job reads about its alert's node and incident, in one round trip. */
export interface AlertReadings {
  silenced: boolean;
  flapping: boolean;
  incidentAnnounced: boolean;
  mass: MassBook;
}

export class AlertingState {
  private readonly redis: ScriptedRedis;
  readonly keys: AlertingKeys;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    const scripted = redis as ScriptedRedis;
    if (!('alertingRouteIncident' in redis)) {
      redis.defineCommand('alertingRouteIncident', { numberOfKeys: 2, lua: ROUTE_INCIDENT });
      redis.defineCommand('alertingClaim', { numberOfKeys: 1, lua: CLAIM });
      redis.defineCommand('alertingCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    }
    this.redis = scripted;
    this.keys = alertingKeys(prefix);
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

  async massBook(): Promise<MassBook> {
    return (await this.readMass()).book;
  }

  /**
   * Applies `decide` to the mass-failure book and writes what it returns atomically, retrying on a
   * concurrent write; `book: null` writes nothing. Returns `decide`'s result from the write that won.
   */
  async updateMassBook<R>(decide: (book: MassBook) => { book: MassBook | null; result: R }): Promise<R> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { version, book } = await this.readMass();
      const { book: next, result } = decide(book);
      if (next === null) return result;
      const written = await this.redis.alertingCompareAndSet(
        this.keys.mass,
        String(version),
        JSON.stringify(next),
      );
      if (written === 1) return result;
    }
    throw new Error(
      `alerting: the mass-failure book kept changing under ${MAX_CAS_ATTEMPTS} concurrent writers`,
    );
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
    pipeline.hget(this.keys.mass, 's');
    pipeline.exists(nodeId === null ? this.keys.flapping('') : this.keys.flapping(nodeId));
    pipeline.scard(
      incidentId === null ? this.keys.incidentChannels('') : this.keys.incidentChannels(incidentId),
    );
    pipeline.exists(silenceKey(this.prefix, nodeId ?? ''));
    const [mass, flapping, announced, silenced] = await exec(pipeline);
    return {
      silenced: nodeId !== null && silenced === 1,
      mass: parseBook(mass as string | null),
      flapping: nodeId !== null && flapping === 1,
      incidentAnnounced: incidentId !== null && (announced as number) > 0,
    };
  }

  async publish(message: object): Promise<void> {
    await this.redis.publish(this.keys.events, JSON.stringify(message));
  }

  private async readMass(): Promise<{ version: number; book: MassBook }> {
    const [version, json] = await this.redis.hmget(this.keys.mass, 'v', 's');
    return { version: Number(version ?? 0), book: parseBook(json ?? null) };
  }
}

function parseBook(json: string | null): MassBook {
  return json ? (JSON.parse(json) as MassBook) : emptyBook();
}

/** Runs a pipeline or transaction and returns its replies, throwing the first command error. */
async function exec(commands: ChainableCommander): Promise<unknown[]> {
  const replies = (await commands.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
