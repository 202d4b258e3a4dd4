/**
 * Every queue of the mesh, as Bull Board and `gpu_mesh_queue_jobs` show them: the fixed ones of docs/http-api.md
 * and one `agent-<id>` queue per node recovered by an agent. Agent queues follow config reloads.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { agentQueueName, QUEUE_NAMES } from '../jobs/queues.js';

export interface QueueChanges {
  added: Queue[];
  removed: string[];
}

export class MeshQueues {
  private readonly fixed: Queue[];
  private readonly agents = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The health-check queue main.ts already has. */
    checkQueue: Queue,
    private readonly config: () => MeshConfig,
  ) {
    const others = Object.values(QUEUE_NAMES).filter((name) => name !== checkQueue.name);
    this.fixed = [checkQueue, ...others.map((name) => this.open(name))];
    this.sync();
  }

  list(): Queue[] {
    return [...this.fixed, ...this.agents.values()];
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

  /** Closes the queues opened here (not the health-check queue, which main.ts owns). */
  async close(): Promise<void> {
    await Promise.all([...this.fixed.slice(1), ...this.agents.values()].map((queue) => queue.close()));
  }

  private open(name: string): Queue {
    const queue = new Queue(name, { connection: this.redis, prefix: this.prefix });
    // The connection reports its own trouble (runtime/redis.ts); nothing more to say per queue.
    queue.on('error', () => {});
    return queue;
  }
}
