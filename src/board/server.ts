/**
 * The HTTP server: probes without auth, everything else behind HTTP Basic auth.
 * Bull Board, the dashboard and the rest of the API mount here too.
 */
import type { Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import { apiRouter } from './api.js';
import { basicAuth } from './auth.js';
import type { ServerDeps } from './deps.js';
import { jsonErrors, notFound } from './errors.js';
import { refuseCrossSiteWrites, securityHeaders } from './security.js';
import { mountViews } from './views.js';

export type { ServerDeps } from './deps.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

const READY_TIMEOUT_MS = 1000;

/** `closers` receives what the app opened (queues, the event stream) and must be closed with it. */
export function createApp(deps: ServerDeps, closers: (() => Promise<void>)[] = []): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await pingWithin(deps.redis, READY_TIMEOUT_MS);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'redis unreachable' });
  });
  const { username } = deps.config().server;
  app.use(basicAuth(username, () => deps.config().server.password));
  app.use(refuseCrossSiteWrites());
  app.use('/api', apiRouter(deps));
  closers.push(mountViews(app, deps));
  app.use(notFound());
  app.use(jsonErrors(deps.logger));
  return app;
}

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { host, port } = deps.config().server;
  const closers: (() => Promise<void>)[] = [];
  const app = createApp(deps, closers);
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

async function pingWithin(redis: Redis, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  const answered = await Promise.race([ping, timeout]);
  clearTimeout(timer);
  return answered;
}
