/**
 * The `gateway` role (SPEC "Inference gateway"): one Ollama- and OpenAI-speaking endpoint for the
 * whole mesh. It follows the mesh's node states from Redis (pushed, never read on a request's
 * path), routes each request to the best node for it, fails over before the first byte, asks
 * for a check of a node that failed, and publishes its per-node load every few seconds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import { Access } from './access.js';
import { CheckRequester } from './check-requests.js';
import { GatewayPortInUseError } from './errors.js';
import { startFollower } from './follower.js';
import { InFlight } from './in-flight.js';
import { startLoadReporter } from './load-reporter.js';
import { GatewayMetrics } from './metrics.js';
import { RouteTable } from './route-table.js';
import { handleRequest, type RouteDeps } from './routes.js';
import { Upstreams } from './upstreams.js';

export interface GatewayOptions {
  config(): MeshConfig;
  redis: Redis;
  /** The `health-check` queue: a node that fails a request is checked at once. */
  checkQueue: Queue;
  logger: Logger;
  /** Tests shorten these. */
  tuning?: { silencePollMs?: number; resyncMs?: number; loadEveryMs?: number };
}

export interface RunningGateway {
  /** `http://host:port` */
  url: string;
  /** Takes a reloaded config: nodes, their weights and caps, and the routing settings. */
  update(config: MeshConfig): void;
  close(): Promise<void>;
}

/** How long a client is told to wait (Retry-After) when no node can take its request. */
const RETRY_AFTER_SECONDS = 5;
/**
 * How long open answers get to finish on shutdown before their connections are cut: short enough
 * that the workers closed after the gateway still fit the process's 9 s shutdown deadline.
 */
const CLOSE_GRACE_MS = 3000;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { redis, logger } = options;
  const initial = options.config();
  const { prefix } = initial.redis;
  const table = new RouteTable();
  table.configure(initial.nodes);
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const follower = startFollower({
      redis,
      subscriber: redis.duplicate({ connectionName: 'gpu-mesh:gateway-routing' }),
      prefix,
      table,
      logger,
      silencePollMs: options.tuning?.silencePollMs,
      resyncMs: options.tuning?.resyncMs,
    });
    closers.push(() => follower.close());
    await follower.ready;

    const inFlight = new InFlight();
    const upstreams = new Upstreams();
    closers.push(() => upstreams.close());
    const metrics = new GatewayMetrics(() => table.ids().map((id) => [id, inFlight.of(id)] as const));
    const checks = new CheckRequester({
      queue: options.checkQueue,
      retryIntervalOf: (id) => options.config().nodes.find((node) => node.id === id)?.checks.retryInterval,
      logger,
    });
    let turn = 0;
    const deps: RouteDeps = {
      table,
      upstreams,
      inFlight,
      metrics,
      access: new Access(initial.gateway.apiKeys),
      settings: () => options.config().gateway,
      askForCheck: (id, why) => checks.ask(id, why),
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      nextTurn: () => turn++,
    };
    const server = await listen(deps, initial.gateway.host, initial.gateway.port);
    closers.push(() => closeServer(server));
    const reporter = startLoadReporter({
      redis,
      prefix,
      inFlight,
      nodeIds: () => table.ids(),
      logger,
      everyMs: options.tuning?.loadEveryMs,
    });
    closers.push(() => reporter.close());
    await reporter.report().catch(() => undefined);

    const url = urlOf(server);
    logger.info(
      { url, route: initial.gateway.route, nodes: table.ids().length },
      `gateway listening on ${url}`,
    );
    return {
      url,
      update(config) {
        table.configure(config.nodes);
        upstreams.retain(new Set(config.nodes.map((node) => node.url)));
        follower.resync().catch(() => undefined);
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function listen(deps: RouteDeps, host: string, port: number): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => handleRequest(deps, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new GatewayPortInUseError(`gateway: port ${port} on ${host} is already in use`)
          : error,
      );
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** Stops taking connections; lets open answers finish for a grace, then cuts what is left. */
function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function urlOf(server: http.Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
