/** A fail-fast Redis connection and a queue on it, for commands that talk to the mesh once. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { connectForRequests } from '../runtime/redis.js';
import { UserError } from './errors.js';

export interface CliConnection {
  redis: Redis;
  queue(name: string): Queue;
  /** Turns a Redis failure into the one-line exit-3 error every command gives. */
  unreachable(command: string): (error: Error) => never;
  close(): Promise<void>;
}

export function connectCli(config: MeshConfig): CliConnection {
  const redis = connectForRequests(config.redis.url);
  redis.on('error', () => {});
  const queues: Queue[] = [];
  return {
    redis,
    queue(name) {
      const queue = new Queue(name, { connection: redis, prefix: config.redis.prefix });
      queue.on('error', () => {}); // else BullMQ prints stacks; a failure is the command's one-line exit 3
      queues.push(queue);
      return queue;
    },
    unreachable: (command) => (error) => {
      throw new UserError(`${command}: Redis unreachable: ${error.message}`, 3);
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}
