/**
 * Node state in Redis. Each node's state is one JSON document with a version; a change is
 * computed by the pure state machine and written with a compare-and-set script, so two
 * processes finishing checks of one node at once never double-count or emit a transition twice:
 * the loser re-reads and re-applies (or finds its result stale).
 */
import type { Redis } from 'ioredis';
import { type CheckRecord, initialState, type NodeState, type Transition } from './state.js';

/** How many recent checks per node are kept for `/api/nodes/:id` and the stats report. */
export const HISTORY_LENGTH = 200;
const TRANSITIONS_KEPT = 10_000;
const MAX_CAS_ATTEMPTS = 20;

// KEYS: state hash, history list, transitions stream, statuses hash
// ARGV: expected version, new state JSON, history entry ('' for none), history length, node id,
// status, transitions JSON...
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if (current or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 's', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
end
if ARGV[6] ~= 'healthy' then
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
else
  redis.call('HDEL', KEYS[4], ARGV[5])
end
for i = 7, #ARGV do
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${TRANSITIONS_KEPT}, '*', 't', ARGV[i])
end
return 1
`;

export interface StoredState {
  version: number;
  state: NodeState;
}

export interface Change<T> {
  state: NodeState;
  transitions: Transition[];
  /** The check to add to the node's history, if any. */
  record?: CheckRecord;
  /** Anything else the caller wants back from the winning application. */
  extra: T;
  /** Nothing to write (e.g. a stale result). */
  unchanged?: boolean;
}

type CasArgs = [
  stateKey: string,
  historyKey: string,
  transitionsKey: string,
  statusesKey: string,
  ...args: (string | number)[],
];

type CasPipeline = ReturnType<Redis['pipeline']> & { meshCompareAndSet(...args: CasArgs): unknown };

type CasRedis = Redis & {
  meshCompareAndSet(
    stateKey: string,
    historyKey: string,
    transitionsKey: string,
    ...args: (string | number)[]
  ): Promise<number>;
};

export class NodeStore {
  private readonly redis: CasRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('meshCompareAndSet' in redis)) {
      redis.defineCommand('meshCompareAndSet', { numberOfKeys: 4, lua: COMPARE_AND_SET });
    }
    this.redis = redis as CasRedis;
  }

  private stateKey(nodeId: string): string {
    return `${this.prefix}:node:${nodeId}`;
  }

  private historyKey(nodeId: string): string {
    return `${this.prefix}:history:${nodeId}`;
  }

  /** Nodes whose status is not healthy, node id -> status: the mesh's trouble at a glance. */
  get statusesKey(): string {
    return `${this.prefix}:not-healthy`;
  }

  /** Nodes that are not healthy (never checked ones included once checked), in one round trip. */
  async notHealthy(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.statusesKey)));
  }

  get transitionsKey(): string {
    return `${this.prefix}:transitions`;
  }

  async read(nodeId: string): Promise<StoredState> {
    const [version, json] = await this.redis.hmget(this.stateKey(nodeId), 'v', 's');
    return parseStored(version ?? null, json ?? null);
  }

  /** States of many nodes in one round trip, in the order given. */
  async readMany(nodeIds: readonly string[]): Promise<StoredState[]> {
    if (nodeIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of nodeIds) pipeline.hmget(this.stateKey(id), 'v', 's');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error) throw error;
      const [version, json] = reply as [string | null, string | null];
      return parseStored(version, json);
    });
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
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { version, state } = await this.read(nodeId);
      const change = decide(state);
      if (change.unchanged) return change;
      const written = await this.redis.meshCompareAndSet(
        this.stateKey(nodeId),
        this.historyKey(nodeId),
        this.transitionsKey,
        this.statusesKey,
        String(version),
        JSON.stringify(change.state),
        change.record ? JSON.stringify(change.record) : '',
        HISTORY_LENGTH,
        nodeId,
        change.state.status,
        ...change.transitions.map((t) => JSON.stringify(t)),
      );
      if (written === 1) return change;
    }
    throw new Error(`node ${nodeId}: state kept changing under ${MAX_CAS_ATTEMPTS} concurrent writers`);
  }

  /**
   * `update` for many nodes at once, from states already read: one pipelined compare-and-set
   * for all of them; a node whose state changed meanwhile goes through `update` on its own.
   * Returns each node's winning change, in order.
   */
  async updateMany<T>(
    items: readonly {
      nodeId: string;
      known: StoredState | undefined;
      decide: (current: NodeState) => Change<T>;
    }[],
  ): Promise<Change<T>[]> {
    const changes = items.map((item) => item.decide(item.known?.state ?? initialState()));
    const pipeline = this.redis.pipeline() as CasPipeline;
    const written: number[] = [];
    items.forEach((item, index) => {
      const change = changes[index]!;
      if (change.unchanged) return;
      written.push(index);
      pipeline.meshCompareAndSet(
        this.stateKey(item.nodeId),
        this.historyKey(item.nodeId),
        this.transitionsKey,
        this.statusesKey,
        String(item.known?.version ?? 0),
        JSON.stringify(change.state),
        change.record ? JSON.stringify(change.record) : '',
        HISTORY_LENGTH,
        item.nodeId,
        change.state.status,
        ...change.transitions.map((t) => JSON.stringify(t)),
      );
    });
    const replies = written.length ? ((await pipeline.exec()) ?? []) : [];
    await Promise.all(
      written.map(async (itemIndex, replyIndex) => {
        const [error, reply] = replies[replyIndex] ?? [new Error('no reply'), 0];
        if (error) throw error;
        if (reply === 1) return;
        const item = items[itemIndex]!;
        changes[itemIndex] = await this.update(item.nodeId, item.decide);
      }),
    );
    return changes;
  }
}

function parseStored(version: string | null, json: string | null): StoredState {
  if (version === null || json === null) return { version: 0, state: initialState() };
  return {
    version: Number(version),
    state: { ...initialState(), ...(JSON.parse(json) as Partial<NodeState>) },
  };
}
