/**
 * The mass-failure book in Redis. A mass failure is many health-check jobs recording a failure
 * start at the same moment, so recording one is a single Lua script — the same decision as
 * `recordFailureStart` (the pure model, unit-tested) — with no read-modify-write from Node that
 * could lose the race: every start is recorded, whatever the number of writers.
 *
 * Layout (all under `<prefix>:alerting:mass:`, so one hash tag in the prefix keeps every key of a
 * script in one Redis Cluster slot): `failures` (node -> since, starts in no episode), `episodes`
 * (id -> start, episodes not over), `members:<episode>` (incident -> since) and `folded:<incident>`
 * (-> episode), which outlives its episode by `FOLDED_RETAIN_MS` so that an incident's alerts are
 * still folded when they are processed after the episode ended.
 */
import type { Redis } from 'ioredis';
import { exec } from '../runtime/redis-pipeline.js';
import { MESH_INCIDENT_PREFIX } from './incident-id.js';
import type { AlertingKeys } from './keys.js';
import {
  FAILURES_KEPT_WINDOWS,
  type FailureStart,
  FOLDED_RETAIN_MS,
  failingBefore,
  type MassBook,
  type MassEpisode,
} from './mass-failure.js';

// KEYS: failures, episodes. ARGV: members key prefix, folded key prefix, episode id prefix,
// node id, since (epoch ms), window ms, threshold (0: no mass failure possible), windows kept.
// Returns the id of the episode the failure start is in, or false. See `recordFailureStart`.
const RECORD_FAILURE_START = `
local membersOf, foldedOf, episodeOf, node, sinceText = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local since, window, threshold, kept = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local function ms(value) return string.format('%.0f', value) end
local incident = node .. ':' .. sinceText
local held = redis.call('GET', foldedOf .. incident)
if held then return held end
local function fold(episode, member, at)
  redis.call('ZADD', membersOf .. episode, at, member)
  redis.call('SET', foldedOf .. member, episode)
end
local near = redis.call('ZRANGEBYSCORE', KEYS[2], ms(since - window), ms(since + window), 'LIMIT', 0, 1)
if near[1] then
  redis.call('ZREM', KEYS[1], node)
  fold(near[1], incident, sinceText)
  return near[1]
end
local newest = since
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] and tonumber(top[2]) > newest then newest = tonumber(top[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ms(newest - kept * window))
redis.call('ZADD', KEYS[1], sinceText, node)
if threshold <= 0 then return false end
local inWindow = redis.call('ZRANGEBYSCORE', KEYS[1], ms(since - window), sinceText, 'WITHSCORES')
if #inWindow < 2 * threshold then return false end
local episode = episodeOf .. inWindow[2]
for i = 1, #inWindow, 2 do
  fold(episode, inWindow[i] .. ':' .. inWindow[i + 1], inWindow[i + 1])
  redis.call('ZREM', KEYS[1], inWindow[i])
end
redis.call('ZADD', KEYS[2], inWindow[2], episode)
return episode
`;

// KEYS: episodes, the episode's members. ARGV: episode id, members the caller saw, folded key
// prefix, retain ms. 1 for the one caller that ends the episode; 0 when it is over already, or
// when an incident joined it after the caller read it (the caller's verdict is out of date).
const END_EPISODE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
if redis.call('ZCARD', KEYS[2]) ~= tonumber(ARGV[2]) then return 0 end
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  redis.call('PEXPIRE', ARGV[3] .. member, ARGV[4])
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`;

type MassRedis = Redis & {
  alertingRecordFailureStart(failures: string, episodes: string, ...args: string[]): Promise<string | null>;
  alertingEndMassEpisode(episodes: string, members: string, ...args: string[]): Promise<number>;
};

export class MassStore {
  private readonly redis: MassRedis;

  constructor(
    redis: Redis,
    private readonly keys: AlertingKeys,
  ) {
    if (!('alertingRecordFailureStart' in redis)) {
      redis.defineCommand('alertingRecordFailureStart', { numberOfKeys: 2, lua: RECORD_FAILURE_START });
      redis.defineCommand('alertingEndMassEpisode', { numberOfKeys: 2, lua: END_EPISODE });
    }
    this.redis = redis as MassRedis;
  }

  /**
   * Records a node's failure start atomically (`threshold`: `massThreshold` of the mesh, null when
   * it is too small); returns the episode the start is folded into, or null.
   */
  async recordFailureStart(
    start: FailureStart,
    threshold: number | null,
    windowMs: number,
  ): Promise<string | null> {
    const reply = await this.redis.alertingRecordFailureStart(
      this.keys.massFailures,
      this.keys.massEpisodes,
      this.keys.massMembers(''),
      this.keys.massFolded(''),
      MESH_INCIDENT_PREFIX,
      start.nodeId,
      String(start.since),
      String(windowMs),
      String(threshold ?? 0),
      String(FAILURES_KEPT_WINDOWS),
    );
    return reply ?? null;
  }

  /**
   * Whether another node started failing within one window before `start` and still fails (its
   * status in `statusesKey`, the hash of nodes not healthy), or an episode is near: then `start`
   * may be folded into a mass failure, and its alerts wait until that is decided.
   */
  async othersFailing(start: FailureStart, windowMs: number, statusesKey: string): Promise<boolean> {
    const before = failingBefore(await this.book(), start, windowMs);
    if (before.episodeNear) return true;
    if (before.nodeIds.length === 0) return false;
    const statuses = await this.redis.hmget(statusesKey, ...before.nodeIds);
    return statuses.some((status) => status !== null);
  }

  /** The failure starts in no episode and the episodes not over yet, with their members. */
  async book(): Promise<MassBook> {
    const [failures, episodes] = (await exec(
      this.redis
        .pipeline()
        .zrange(this.keys.massFailures, '0', '-1', 'WITHSCORES')
        .zrange(this.keys.massEpisodes, '0', '-1', 'WITHSCORES'),
    )) as [string[], string[]];
    const open = pairs(episodes);
    const members =
      open.length === 0
        ? []
        : ((await exec(
            open.reduce(
              (pipeline, [id]) => pipeline.zrange(this.keys.massMembers(id), '0', '-1'),
              this.redis.pipeline(),
            ),
          )) as string[][]);
    return {
      failures: pairs(failures).map(([nodeId, since]) => ({ nodeId, since })),
      episodes: open.map(([id, start], index) => ({
        id,
        start,
        members: (members[index] ?? []).map((incidentId) => ({
          nodeId: incidentId.slice(0, incidentId.lastIndexOf(':')),
          incidentId,
        })),
      })),
    };
  }

  /**
   * Ends an episode that `episode` (as read) says is over; true for the one caller that ended it.
   * Its incidents stay folded for `FOLDED_RETAIN_MS`.
   */
  async endEpisode(episode: MassEpisode): Promise<boolean> {
    const reply = await this.redis.alertingEndMassEpisode(
      this.keys.massEpisodes,
      this.keys.massMembers(episode.id),
      episode.id,
      String(episode.members.length),
      this.keys.massFolded(''),
      String(FOLDED_RETAIN_MS),
    );
    return reply === 1;
  }

  /** The episode each of `incidentIds` is folded into, for those folded into one (over or not). */
  async foldedAmong(incidentIds: readonly string[]): Promise<Map<string, string>> {
    if (incidentIds.length === 0) return new Map();
    const values = await this.redis.mget(incidentIds.map((id) => this.keys.massFolded(id)));
    return new Map(
      incidentIds.flatMap((id, index) => {
        const episode = values[index];
        return episode ? [[id, episode] as const] : [];
      }),
    );
  }
}

/** `[member, score, member, score, ...]` -> `[member, score]` pairs. */
function pairs(flat: readonly string[]): [string, number][] {
  const result: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i] as string, Number(flat[i + 1])]);
  return result;
}
