/**
 * The HTTP server: probes and, when `server.statusPage` is on, the public status page without auth,
 * everything else behind HTTP Basic auth, or, with no password, behind the loopback `Host` check. Bull Board, the dashboard and the rest of the API
 * mount here too. Every route talks to Redis on the server's own fail-fast connection, so that an
 * unreachable Redis is a 503 within 2 s (`request-redis.ts`).
 */
import type { Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import { apiRouter } from './api.js';
import { basicAuth } from './auth.js';
import type { ServerDeps } from './deps.js';
import { jsonErrors, notFound } from './errors.js';
import { openServerProblem, refuseForeignHosts } from './exposure.js';
import { MeshQueues } from './queues.js';
import {
  answerInTime,
  COMMAND_TIMEOUT_MS,
  connectForHttp,
  pingWithin,
  REDIS_UNAVAILABLE,
  readyWithin,
} from './request-redis.js';
import { refuseCrossSiteWrites, securityHeaders } from './security.js';
import { STATUS_PATH, statusRouter } from './status-page.js';
import { mountViews } from './views.js';

export type { ServerDeps } from './deps.js';
export { openServerProblem } from './exposure.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

/** No password and a host that is not loopback: the server would be open to anyone who reaches it. */
export class OpenServerError extends Error {}

/** How long `startServer` waits for its Redis connection before it listens anyway (503s until then). */
const CONNECT_WAIT_MS = 2000;

/**
 * `closers` receives what the app opened (its Redis connection, queues, the event stream) and must
 * be closed with it. `server.*` is read once, here: those keys are start-only (docs/configuration.md).
 */
export function createApp(deps: ServerDeps, closers: (() => Promise<void>)[] = []): express.Express {
  return buildApp(deps, connectForHttp(deps.redis), closers);
}

/** The app on `redis`, the server's fail-fast connection, which it closes with the rest. */
function buildApp(deps: ServerDeps, redis: Redis, closers: (() => Promise<void>)[]): express.Express {
  const server = { ...deps.config().server };
  const queues = new MeshQueues(redis, deps.config().redis.prefix, deps.config);
  closers.push(async () => {
    await queues.close();
    redis.disconnect();
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  if (!server.password) app.use(refuseForeignHosts());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (await pingWithin(redis, COMMAND_TIMEOUT_MS)) res.json({ status: 'ready' });
    else res.status(503).json(REDIS_UNAVAILABLE);
  });
  if (server.statusPage) app.use(STATUS_PATH, answerInTime(redis), statusRouter({ ...deps, redis }));
  if (server.password) app.use(basicAuth(server));
  app.use(refuseCrossSiteWrites());
  app.use(answerInTime(redis));
  const routeDeps = { config: deps.config, redis, queues, now: deps.now };
  app.use('/api', apiRouter(routeDeps));
  closers.push(
    mountViews(app, {
      ...routeDeps,
      subscriber: () => deps.redis.duplicate({ connectionName: 'gpu-mesh:events' }),
      logger: deps.logger,
      metricsRegistry: deps.metricsRegistry,
    }),
  );
  app.use(notFound());
  app.use(jsonErrors(deps.logger));
  return app;
}

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { host, port } = deps.config().server;
  const problem = openServerProblem(deps.config().server);
  if (problem) throw new OpenServerError(`config: ${problem}`);
  const closers: (() => Promise<void>)[] = [];
  const redis = connectForHttp(deps.redis);
  await readyWithin(redis, CONNECT_WAIT_MS);
  const app = buildApp(deps, redis, closers);
  const closeApp = () => Promise.all(closers.map((close) => close()));
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, (error?: Error) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        void closeApp();
        reject(
          code === 'EADDRINUSE'
            ? new PortInUseError(`server: port ${port} on ${host} is already in use`)
            : error,
        );
      } else {
        resolve(listening);
      }
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  deps.logger.info({ url }, `server listening on ${url}`);
  return {
    url,
    port: actualPort,
    close: async () => {
      await closeApp();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
