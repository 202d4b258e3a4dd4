/**
 * When each node is due for its scheduled check: one sorted set, node id -> due time (epoch ms),
 * plus each node's interval. A claim takes every node that is due and moves it to its next slot
 * in one Lua script, so any number of scheduler processes hand out each slot exactly once.
 *
 * Why not one BullMQ Job Scheduler per node: each scheduled check then costs a job's whole life
 * (scheduler bookkeeping, move to active, move to finished) — measured here at 0.1x the checks/s
 * of a plain loop. Claimed nodes are checked in batches, one BullMQ job per batch (see
 * `health-check.ts`), which keeps every check visible in Bull Board for a fraction of the cost.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NodeConfig } from '../config/types.js';

/** A never-scheduled node is first due within this long, so a new mesh shows its state at once. */
const FIRST_CHECK_SPREAD_MS = 2000;

/**
 * A node claimed this long ago and not reported done (`done`) is claimed again: its batch was lost
 * (a worker that died and a job that failed for good), and the node must not go unchecked for it.
 */
export const CLAIM_EXPIRES_MS = 60_000;

// KEYS: due zset, every hash, claimed counter, checking zset. ARGV: now, limit, claim expiry ms.
// Returns the next due time after the claim ('' with nothing scheduled), then id, planned time,
// id, planned time, … Each node's slots keep one phase within its
// interval, taken from a hash of its id, so a fleet's checks spread evenly over the interval
// however they started (all at once on a new mesh). A slot missed while the mesh was saturated is
// skipped, not replayed; so is one that comes while the node's last check has not ended (in
// `checking`), so that a saturated mesh never has one node in two checks at once.
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local now = tonumber(ARGV[1])
local claimed = {}
for i = 1, #due, 2 do
  local id = due[i]
  local every = tonumber(redis.call('HGET', KEYS[2], id))
  if every then
    local phase = tonumber(string.sub(redis.sha1hex(id), 1, 8), 16) % every
    redis.call('ZADD', KEYS[1], now - ((now - phase) % every) + every, id)
    local since = tonumber(redis.call('ZSCORE', KEYS[4], id))
    if (not since) or since <= now - tonumber(ARGV[3]) then
      redis.call('ZADD', KEYS[4], now, id)
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = due[i + 1]
    end
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
if #claimed > 0 then redis.call('INCRBY', KEYS[3], #claimed / 2) end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
table.insert(claimed, 1, next[2] or '')
return claimed
`;

export interface DueCheck {
  nodeId: string;
  plannedAt: number;
}

export interface Claim {
  checks: DueCheck[];
  /** When the next node is due after this claim, or null with nothing scheduled. */
  nextDueAt: number | null;
}

const fingerprints = new WeakMap<readonly NodeConfig[], string>();

/** The enabled nodes and their intervals, hashed; computed once per config. */
function scheduleFingerprint(nodes: readonly NodeConfig[], enabled: readonly NodeConfig[]): string {
  let fingerprint = fingerprints.get(nodes);
  if (fingerprint === undefined) {
    const hash = createHash('sha1');
    for (const node of enabled) hash.update(`${node.id}\t${node.checks.interval}\n`);
    fingerprint = hash.digest('hex');
    fingerprints.set(nodes, fingerprint);
  }
  return fingerprint;
}

/** Spreads nodes over a period so they are not all due at the same instant. */
export function scheduleOffset(nodeId: string, period: number): number {
  const hash = createHash('sha1').update(nodeId).digest().readUInt32BE(0);
  return hash % Math.max(1, period);
}

type ClaimRedis = Redis & {
  meshClaimDue(
    dueKey: string,
    everyKey: string,
    claimedKey: string,
    checkingKey: string,
    now: number,
    limit: number,
    expiresMs: number,
  ): Promise<string[]>;
};

export class CheckSchedule {
  private readonly redis: ClaimRedis;
  readonly dueKey: string;
  private readonly everyKey: string;
  /** How many slots were ever handed out: set against the checks made, it shows any duplicate. */
  readonly claimedKey: string;
  /** Nodes claimed and not yet done -> when claimed. */
  private readonly checkingKey: string;
  /** Told after this object changed the schedule (`upsert`, `remove`), so a sleeping dispatcher looks again. */
  private readonly listeners = new Set<() => void>();
  /** Which nodes and intervals the schedule was last made for (`scheduleFingerprint`). */
  private readonly fingerprintKey: string;

  constructor(redis: Redis, prefix: string) {
    if (!('meshClaimDue' in redis)) redis.defineCommand('meshClaimDue', { numberOfKeys: 4, lua: CLAIM });
    this.redis = redis as ClaimRedis;
    this.dueKey = `${prefix}:due`;
    this.everyKey = `${prefix}:every`;
    this.claimedKey = `${prefix}:claimed`;
    this.checkingKey = `${prefix}:checking`;
    this.fingerprintKey = `${prefix}:schedule-of`;
  }

  /**
   * Schedules these nodes (enabled ones; disabled ones are removed). A node already scheduled
   * keeps its slot unless its interval changed.
   */
  async upsert(nodes: readonly NodeConfig[], now: number): Promise<void> {
    if (nodes.length === 0) return;
    const ids = nodes.map((node) => node.id);
    const current = await this.redis.hmget(this.everyKey, ...ids);
    const pipeline = this.redis.pipeline();
    nodes.forEach((node, index) => {
      if (!node.enabled) {
        pipeline.zrem(this.dueKey, node.id).hdel(this.everyKey, node.id);
        return;
      }
      const every = node.checks.interval;
      const known = current[index];
      if (known === String(every)) {
        pipeline.zadd(this.dueKey, 'NX', now + scheduleOffset(node.id, every), node.id);
        return;
      }
      pipeline.hset(this.everyKey, node.id, every);
      const first = known === null ? Math.min(every, FIRST_CHECK_SPREAD_MS) : every;
      pipeline.zadd(this.dueKey, now + scheduleOffset(node.id, first), node.id);
    });
    await pipeline.exec();
    this.changed();
  }

  async remove(nodeIds: readonly string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    await this.redis
      .pipeline()
      .zrem(this.dueKey, ...nodeIds)
      .hdel(this.everyKey, ...nodeIds)
      .zrem(this.checkingKey, ...nodeIds)
      .exec();
    this.changed();
  }

  /** Calls `listener` after each change this object makes to the schedule; returns its removal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** The claimed checks of these nodes ended (done, skipped or failed): their next slots are theirs. */
  async done(nodeIds: readonly string[]): Promise<void> {
    if (nodeIds.length > 0) await this.redis.zrem(this.checkingKey, ...nodeIds);
  }

  /** Makes the schedule exactly that of the enabled nodes; returns the ids it dropped. */
  async sync(nodes: readonly NodeConfig[], now: number): Promise<string[]> {
    const enabled = nodes.filter((node) => node.enabled);
    const fingerprint = scheduleFingerprint(nodes, enabled);
    // In place already (same nodes and intervals, nothing lost): three small reads, no rewrite.
    const replies =
      (await this.redis.pipeline().get(this.fingerprintKey).zcard(this.dueKey).hlen(this.everyKey).exec()) ??
      [];
    const [stored, due, every] = replies.map(([, reply]) => reply);
    if (stored === fingerprint && due === enabled.length && every === enabled.length) return [];
    await this.upsert(nodes, now);
    const wanted = new Set(enabled.map((node) => node.id));
    const scheduled = await this.redis.hkeys(this.everyKey);
    const orphans = scheduled.filter((id) => !wanted.has(id));
    await this.remove(orphans);
    await this.redis.set(this.fingerprintKey, fingerprint);
    return orphans;
  }

  /** Takes up to `limit` due nodes, each moved to its next slot. */
  async claim(now: number, limit: number): Promise<DueCheck[]> {
    return (await this.claimDue(now, limit)).checks;
  }

  /** `claim`, and when the next node is due after it, in one round trip. */
  async claimDue(now: number, limit: number): Promise<Claim> {
    const [next = '', ...flat] = await this.redis.meshClaimDue(
      this.dueKey,
      this.everyKey,
      this.claimedKey,
      this.checkingKey,
      now,
      limit,
      CLAIM_EXPIRES_MS,
    );
    const checks: DueCheck[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      checks.push({ nodeId: flat[i] as string, plannedAt: Number(flat[i + 1]) });
    return { checks, nextDueAt: next === '' ? null : Number(next) };
  }

  /** When the next node is due, or null with nothing scheduled. */
  async nextDueAt(): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.dueKey, '0', '0', 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  /** Node ids scheduled, for tests and the sweep. */
  scheduledIds(): Promise<string[]> {
    return this.redis.hkeys(this.everyKey);
  }
}
