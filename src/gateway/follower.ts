/**
 * Keeps a RouteTable in step with the mesh, off every request's path: routing changes come pushed
 * on `<prefix>:routing` (published by the same script that writes a node's state), silences are
 * read every `silencePollMs` (one MGET: a silence set or expired shows within a second), and the
 * whole picture is read again at start, after every reconnect of the subscription (messages sent
 * while it was down are lost) and every `resyncMs`, as a safety net.
 */
import type { Redis } from 'ioredis';
import { type NodeRouting, routingChannel, routingOf } from '../mesh/routing.js';
import { silencedNodes } from '../mesh/silence.js';
import { NodeStore } from '../mesh/store.js';
import type { Logger } from '../runtime/logger.js';
import type { RouteTable } from './route-table.js';

export interface FollowerOptions {
  redis: Redis;
  /** A connection of its own, for SUBSCRIBE. */
  subscriber: Redis;
  prefix: string;
  table: RouteTable;
  logger: Logger;
  /** Default 500 ms. */
  silencePollMs?: number;
  /** Default 15 s. */
  resyncMs?: number;
}

export interface Follower {
  /** Resolves once the whole picture has been read once. */
  ready: Promise<void>;
  /** Reads the whole picture now (after a config reload). */
  resync(): Promise<void>;
  close(): Promise<void>;
}

export function startFollower(options: FollowerOptions): Follower {
  const { redis, subscriber, prefix, table, logger } = options;
  const store = new NodeStore(redis, prefix);
  let closed = false;
  let failing = false;

  const readSilences = async (): Promise<void> => {
    table.setSilenced(await silencedNodes(redis, prefix, table.ids()));
  };
  const resync = async (): Promise<void> => {
    const ids = table.ids();
    const [states] = await Promise.all([store.readMany(ids), readSilences()]);
    states.forEach(({ version, state }, index) => {
      if (version > 0) table.apply(routingOf(ids[index] as string, version, state));
    });
  };
  const quietly = (what: string, task: () => Promise<void>) => async (): Promise<void> => {
    try {
      await task();
      if (failing) logger.info(`gateway: mesh state readable again`);
      failing = false;
    } catch (error) {
      if (!failing && !closed)
        logger.warn(
          { err: (error as Error).message },
          `gateway: cannot read ${what}; routing on what it knows`,
        );
      failing = true;
    }
  };

  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      table.apply(JSON.parse(message) as NodeRouting);
    } catch {
      // Not ours to judge: the next resync reads the state itself.
    }
  });
  // After a reconnect ioredis subscribes again by itself; what was published meanwhile is lost.
  let subscribedOnce = false;
  subscriber.on('ready', () => {
    if (subscribedOnce) void quietly('node states', resync)();
  });
  const ready = subscriber.subscribe(routingChannel(prefix)).then(async () => {
    subscribedOnce = true;
    await resync();
  });

  const silenceTimer = setInterval(quietly('silences', readSilences), options.silencePollMs ?? 500);
  const resyncTimer = setInterval(quietly('node states', resync), options.resyncMs ?? 15_000);
  silenceTimer.unref();
  resyncTimer.unref();

  return {
    ready,
    resync,
    async close() {
      closed = true;
      clearInterval(silenceTimer);
      clearInterval(resyncTimer);
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
