/**
 * Every queue of the mesh, as the server sees them (Bull Board, `gpu_mesh_queue_jobs`, the actions
 * of the API): the fixed ones of docs/http-api.md and one `agent-<id>` queue per node recovered by an agent.
 * Agent queues follow config reloads. All of them live on the server's fail-fast connection
 * (`request-redis.ts`), so that nothing the server does waits for an unreachable Redis.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { agentQueueName, QUEUE_NAMES, type QueueName } from '../jobs/queues.js';

export interface QueueChanges {
  added: Queue[];
  removed: string[];
}

export class MeshQueues {
  private readonly fixed = new Map<string, Queue>();
  private readonly agents = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly config: () => MeshConfig,
  ) {
    for (const name of Object.values(QUEUE_NAMES)) this.fixed.set(name, this.open(name));
    this.sync();
  }

  /** One of the fixed queues (docs/http-api.md). */
  get(name: QueueName): Queue {
    const queue = this.fixed.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  }

  list(): Queue[] {
    return [...this.fixed.values(), ...this.agents.values()];
  }

  /** Opens the agent queues of new agent nodes and closes those of nodes gone. */
  sync(): QueueChanges {
    const wanted = new Set(
      this.config()
        .nodes.filter((node) => node.recovery.kind === 'agent')
        .map((node) => agentQueueName(node.id)),
    );
    const added: Queue[] = [];
    const removed: string[] = [];
    for (const name of wanted) {
      if (this.agents.has(name)) continue;
      const queue = this.open(name);
      this.agents.set(name, queue);
      added.push(queue);
    }
    for (const [name, queue] of this.agents) {
      if (wanted.has(name)) continue;
      this.agents.delete(name);
      removed.push(name);
      void queue.close().catch(() => undefined);
    }
    return { added, removed };
  }

  /** Closes the queues (not the connection, which the server owns). */
  async close(): Promise<void> {
    await Promise.all(this.list().map((queue) => queue.close().catch(() => undefined)));
  }

  private open(name: string): Queue {
    // No version check: it is one more command at start, and a queue whose first command fails
    // (Redis froze at that instant) stays unusable for good. The service's workers check the version.
    const queue = new Queue(name, { connection: this.redis, prefix: this.prefix, skipVersionCheck: true });
    // The service's connection reports its own trouble (runtime/redis.ts); nothing more to say per queue.
    queue.on('error', () => {});
    return queue;
  }
}
