/**
 * Node state in Redis. Each node's state is one hash with a version; a change is computed by the
 * pure state machine and written with a compare-and-set script, so two processes finishing checks
 * of one node at once never double-count or emit a transition twice: the loser re-reads and
 * re-applies (or finds its result stale).
 *
 * Written on change: the hash keeps the state's decisions (status, incident, errors, models) as a
 * JSON document that is rewritten only when a check changes one of them, and what every check
 * changes (when, latency, counters) as a short JSON array beside it. A passing check of a healthy
 * node writes that array, the version, one uptime counter and its history entry, nothing else.
 */
import type { Redis } from 'ioredis';
import { routingChanged, routingChannel, routingOf } from './routing.js';
import { type CheckRecord, initialState, type NodeState, type Transition } from './state.js';
import { TOTAL_UNIT, type UptimeBucket, type UptimeMark, unpackBucket } from './uptime.js';

/** How many recent checks per node are kept for `/api/nodes/:id` and the stats report. */
export const HISTORY_LENGTH = 200;
/** The history is trimmed once it is this much longer: one LTRIM per 50 checks, not per check. */
const HISTORY_SLACK = 50;
const TRANSITIONS_KEPT = 10_000;
const MAX_CAS_ATTEMPTS = 20;
const UPTIME_FIELD = 'u:';

/** What every check changes, stored apart from the document: `o`, in this order. */
const OBSERVED = [
  'lastCheckAt',
  'lastOkAt',
  'latencyMs',
  'checks',
  'successes',
  'consecutiveSuccesses',
  'consecutiveFailures',
] as const satisfies readonly (keyof NodeState)[];
type Observed = (typeof OBSERVED)[number];
/** The rest of the state: the document `s`, rewritten only when one of these changes. */
const DOCUMENT = (Object.keys(initialState()) as (keyof NodeState)[]).filter(
  (key): key is Exclude<keyof NodeState, Observed> => !(OBSERVED as readonly string[]).includes(key),
);

// The write of a batch's changes, one node after another.
// KEYS[1] transitions stream, KEYS[2] statuses hash; per node: state hash, history list.
// ARGV[1] history length, ARGV[2] the routing channel, ARGV[3] history slack; per node: expected
// version, document JSON ('' when unchanged), observed JSON, history entry ('' for none), node id,
// status ('' when unchanged), routing message ('' when routing is unchanged), uptime field ('' for
// none), its increment, the newest expired bucket start, transition count, transitions JSON...
// Returns per node 1 (written) or {version, document, observed} found instead of the expected version.
const COMPARE_AND_SET_MANY = `
local results = {}
local a = 4
local keep = tonumber(ARGV[1])
for k = 3, #KEYS, 2 do
  local stateKey, historyKey = KEYS[k], KEYS[k + 1]
  local count = tonumber(ARGV[a + 10])
  local found = redis.call('HMGET', stateKey, 'v', 's', 'o')
  if (found[1] or '0') ~= ARGV[a] then
    results[#results + 1] = { found[1] or '0', found[2] or '', found[3] or '' }
  else
    if ARGV[a + 1] ~= '' then
      redis.call('HSET', stateKey, 'v', tonumber(ARGV[a]) + 1, 'o', ARGV[a + 2], 's', ARGV[a + 1])
    else
      redis.call('HSET', stateKey, 'v', tonumber(ARGV[a]) + 1, 'o', ARGV[a + 2])
    end
    if ARGV[a + 3] ~= '' and redis.call('LPUSH', historyKey, ARGV[a + 3]) > keep + tonumber(ARGV[3]) then
      redis.call('LTRIM', historyKey, 0, keep - 1)
    end
    if ARGV[a + 7] ~= '' and redis.call('HINCRBY', stateKey, ARGV[a + 7], ARGV[a + 8]) < 2 * ${TOTAL_UNIT} then
      -- The bucket's first check: buckets that left the retain window go.
      local expired = tonumber(ARGV[a + 9])
      for _, field in ipairs(redis.call('HKEYS', stateKey)) do
        if string.sub(field, 1, 2) == '${UPTIME_FIELD}' and tonumber(string.sub(field, 3)) <= expired then
          redis.call('HDEL', stateKey, field)
        end
      end
    end
    if ARGV[a + 5] == 'healthy' then
      redis.call('HDEL', KEYS[2], ARGV[a + 4])
    elseif ARGV[a + 5] ~= '' then
      redis.call('HSET', KEYS[2], ARGV[a + 4], ARGV[a + 5])
    end
    for i = a + 11, a + 10 + count do
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ${TRANSITIONS_KEPT}, '*', 't', ARGV[i])
    end
    if ARGV[a + 6] ~= '' then
      redis.call('PUBLISH', ARGV[2], ARGV[a + 6])
    end
    results[#results + 1] = 1
  end
  a = a + 11 + count
end
return results
`;

/** A node's state document and its list of recent checks. */
export function nodeStateKeys(prefix: string, nodeId: string): { state: string; history: string } {
  return { state: `${prefix}:node:${nodeId}`, history: `${prefix}:history:${nodeId}` };
}

/** The hash of nodes that are not healthy (node id -> status). */
export function notHealthyKey(prefix: string): string {
  return `${prefix}:not-healthy`;
}

export interface StoredState {
  version: number;
  state: NodeState;
}

export interface Change<T> {
  state: NodeState;
  transitions: Transition[];
  /** The check to add to the node's history, if any. */
  record?: CheckRecord;
  /** The uptime bucket the check counts in, if any. */
  uptime?: UptimeMark;
  /** Anything else the caller wants back from the winning application. */
  extra: T;
  /** Nothing to write (e.g. a stale result). */
  unchanged?: boolean;
}

type CasRedis = Redis & {
  meshCompareAndSetMany(
    keyCount: number,
    ...args: (string | number)[]
  ): Promise<(1 | [string, string, string])[]>;
};

/** One node's change to write, decided from the state it was computed on. */
interface PendingWrite<T> {
  index: number;
  nodeId: string;
  known: StoredState;
  decide: (current: NodeState) => Change<T>;
  change: Change<T>;
}

export class NodeStore {
  private readonly redis: CasRedis;
  /**
   * The last state this process read or wrote of each node. A scheduled check starts from it
   * instead of reading Redis first; the compare-and-set catches it out of date (another process
   * wrote since) and hands back the current state to decide on again.
   */
  private readonly lastSeen = new Map<string, StoredState>();

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('meshCompareAndSetMany' in redis)) {
      redis.defineCommand('meshCompareAndSetMany', { lua: COMPARE_AND_SET_MANY });
    }
    this.redis = redis as CasRedis;
  }

  private stateKey(nodeId: string): string {
    return nodeStateKeys(this.prefix, nodeId).state;
  }

  private historyKey(nodeId: string): string {
    return nodeStateKeys(this.prefix, nodeId).history;
  }

  /** Nodes whose status is not healthy, node id -> status: the mesh's trouble at a glance. */
  get statusesKey(): string {
    return notHealthyKey(this.prefix);
  }

  /** Nodes that are not healthy (never checked ones included once checked), in one round trip. */
  async notHealthy(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.statusesKey)));
  }

  get transitionsKey(): string {
    return `${this.prefix}:transitions`;
  }

  async read(nodeId: string): Promise<StoredState> {
    const [stored] = await this.readMany([nodeId]);
    return stored!;
  }

  /** States of many nodes in one round trip, in the order given. */
  async readMany(nodeIds: readonly string[]): Promise<StoredState[]> {
    if (nodeIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of nodeIds) pipeline.hmget(this.stateKey(id), 'v', 's', 'o');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply], index) => {
      if (error) throw error;
      const [version, document, observed] = reply as (string | null)[];
      return this.seen(nodeIds[index]!, parseStored(version ?? null, document ?? null, observed ?? null));
    });
  }

  /** `readMany` with each node's uptime buckets, oldest first: what the views show. */
  async readWithUptime(
    nodeIds: readonly string[],
  ): Promise<{ stored: StoredState; uptime: UptimeBucket[] }[]> {
    if (nodeIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of nodeIds) pipeline.hgetall(this.stateKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply], index) => {
      if (error) throw error;
      const fields = reply as Record<string, string>;
      const uptime: UptimeBucket[] = [];
      for (const [field, value] of Object.entries(fields)) {
        if (field.startsWith(UPTIME_FIELD)) {
          uptime.push(unpackBucket(Number(field.slice(UPTIME_FIELD.length)), Number(value)));
        }
      }
      uptime.sort((x, y) => x[0] - y[0]);
      const stored = parseStored(fields.v ?? null, fields.s ?? null, fields.o ?? null);
      return { stored: this.seen(nodeIds[index]!, stored), uptime };
    });
  }

  /**
   * States to start checks from: what this process last saw of each node, read from Redis only
   * for nodes it has not seen. Possibly out of date; `updateMany` copes.
   */
  async lastKnown(nodeIds: readonly string[]): Promise<StoredState[]> {
    const unseen = nodeIds.filter((id) => !this.lastSeen.has(id));
    if (unseen.length > 0) await this.readMany(unseen);
    return nodeIds.map((id) => this.lastSeen.get(id) ?? { version: 0, state: initialState() });
  }

  /** Drops what this process remembers of nodes no longer in the config. */
  forgetExcept(nodeIds: ReadonlySet<string>): void {
    for (const id of this.lastSeen.keys()) if (!nodeIds.has(id)) this.lastSeen.delete(id);
  }

  async history(nodeId: string, limit = HISTORY_LENGTH): Promise<CheckRecord[]> {
    const entries = await this.redis.lrange(this.historyKey(nodeId), 0, limit - 1);
    return entries.map((entry) => JSON.parse(entry) as CheckRecord);
  }

  /**
   * Applies `decide` to the node's current state and writes the result atomically, retrying on a
   * concurrent write. Returns the winning change.
   */
  async update<T>(nodeId: string, decide: (current: NodeState) => Change<T>): Promise<Change<T>> {
    const [change] = await this.updateMany([{ nodeId, known: await this.read(nodeId), decide }]);
    return change!;
  }

  /**
   * `update` for many nodes at once, starting from states already known (`lastKnown`, `readMany`):
   * one script call writes them all; a node whose state changed meanwhile is decided again on the
   * state the script found, and written in the next call. Returns each node's winning change, in order.
   */
  async updateMany<T>(
    items: readonly {
      nodeId: string;
      known: StoredState | undefined;
      decide: (current: NodeState) => Change<T>;
    }[],
  ): Promise<Change<T>[]> {
    const changes: Change<T>[] = new Array(items.length);
    let pending: PendingWrite<T>[] = [];
    items.forEach((item, index) => {
      const known = item.known ?? { version: 0, state: initialState() };
      pending.push({
        index,
        nodeId: item.nodeId,
        known,
        decide: item.decide,
        change: item.decide(known.state),
      });
    });
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const writes: PendingWrite<T>[] = [];
      for (const write of pending) {
        if (write.change.unchanged) changes[write.index] = write.change;
        else writes.push(write);
      }
      if (writes.length === 0) return changes;
      const results = await this.compareAndSetMany(writes);
      pending = [];
      writes.forEach((write, i) => {
        const result = results[i];
        if (result === 1) {
          changes[write.index] = write.change;
          this.lastSeen.set(write.nodeId, { version: write.known.version + 1, state: write.change.state });
          return;
        }
        const [version, document, observed] = result ?? ['0', '', ''];
        const known = this.seen(write.nodeId, parseStored(version, document || null, observed || null));
        pending.push({ ...write, known, change: write.decide(known.state) });
      });
    }
    const nodes = pending.map((write) => write.nodeId).join(', ');
    throw new Error(`node ${nodes}: state kept changing under ${MAX_CAS_ATTEMPTS} concurrent writers`);
  }

  private compareAndSetMany(
    writes: readonly PendingWrite<unknown>[],
  ): Promise<(1 | [string, string, string])[]> {
    const keys: string[] = [this.transitionsKey, this.statusesKey];
    const args: (string | number)[] = [HISTORY_LENGTH, routingChannel(this.prefix), HISTORY_SLACK];
    for (const { nodeId, known, change } of writes) {
      const { state, uptime } = change;
      keys.push(this.stateKey(nodeId), this.historyKey(nodeId));
      // Only the state this write replaces is known to be current: compare with it.
      const first = known.version === 0;
      args.push(
        known.version,
        first || !sameDocument(known.state, state) ? documentJson(state) : '',
        observedJson(state),
        change.record ? JSON.stringify(change.record) : '',
        nodeId,
        first || known.state.status !== state.status ? state.status : '',
        routingChanged(known.state, state) ? JSON.stringify(routingOf(nodeId, known.version + 1, state)) : '',
        uptime ? UPTIME_FIELD + uptime.bucket : '',
        uptime?.increment ?? 0,
        uptime?.expiredAt ?? 0,
        change.transitions.length,
      );
      for (const transition of change.transitions) args.push(JSON.stringify(transition));
    }
    return this.redis.meshCompareAndSetMany(keys.length, ...keys, ...args);
  }

  private seen(nodeId: string, stored: StoredState): StoredState {
    this.lastSeen.set(nodeId, stored);
    return stored;
  }
}

function parseStored(version: string | null, document: string | null, observed: string | null): StoredState {
  if (version === null || document === null) return { version: 0, state: initialState() };
  const state: NodeState = { ...initialState(), ...(JSON.parse(document) as Partial<NodeState>) };
  if (observed !== null) {
    const values = JSON.parse(observed) as NodeState[Observed][];
    OBSERVED.forEach((key, index) => {
      (state as unknown as Record<Observed, NodeState[Observed]>)[key] = values[index] ?? null;
    });
  }
  return { version: Number(version), state };
}

function observedJson(state: NodeState): string {
  return JSON.stringify(OBSERVED.map((key) => state[key]));
}

function documentJson(state: NodeState): string {
  const document: Partial<NodeState> = {};
  for (const key of DOCUMENT) (document as Record<string, unknown>)[key] = state[key];
  return JSON.stringify(document);
}

/** Whether two states have the same document: a check that changed only what `OBSERVED` lists. */
function sameDocument(a: NodeState, b: NodeState): boolean {
  return DOCUMENT.every((key) => sameJson(a[key], b[key]));
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((value, index) => sameJson(value, b[index]));
  }
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
