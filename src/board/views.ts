/**
 * Everything the server shows besides the core API: the dashboard, Bull Board, the event stream,
 * stats reports and uptime, alerts and `/metrics`. Mounted behind the auth; returns what must be closed.
 */
import type express from 'express';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { readTelemetry } from '../agent/telemetry.js';
import { AlertHistory } from '../alerts/history.js';
import type { MeshConfig } from '../config/types.js';
import { readContext, readMesh } from '../mesh/read.js';
import { routingChannel } from '../mesh/routing.js';
import { MetricsExporter } from '../metrics/exporter.js';
import { metricsCountersKey } from '../metrics/keys.js';
import { ReportStore } from '../metrics/report-store.js';
import type { Logger } from '../runtime/logger.js';
import { alertsRouter } from './api-alerts.js';
import { eventsRouter } from './api-events.js';
import { reportsRouter } from './api-reports.js';
import { timelineRouter } from './api-timeline.js';
import { uptimeRouter } from './api-uptime.js';
import { BOARD_PATH, bullBoardRouter } from './bull-board.js';
import { dashboardRouter } from './dashboard-page.js';
import { EventHub, eventsChannel } from './event-hub.js';
import { metricsRouter } from './metrics-route.js';
import type { MeshQueues } from './queues.js';

/** What the views need: the server's fail-fast connection and queues on it (`request-redis.ts`). */
export interface ViewDeps {
  config(): MeshConfig;
  redis: Redis;
  queues: MeshQueues;
  /** A connection for the event stream's SUBSCRIBE, one that waits out a Redis restart. */
  subscriber(): Redis;
  logger: Logger;
  now(): number;
  metricsRegistry?: Registry;
}

/** Mounts the views on `app`; returns what closes them. */
export function mountViews(app: express.Express, deps: ViewDeps): () => Promise<void> {
  const prefix = deps.config().redis.prefix;
  const { queues } = deps;
  const readCurrentMesh = async () => readMesh(await readContext(deps.redis, deps.config(), deps.now()));
  const hub = new EventHub({
    read: async () => {
      const mesh = await readCurrentMesh();
      const readings = await Promise.all(
        mesh.nodes.map((node) => readTelemetry(deps.redis, prefix, node.id)),
      );
      return {
        mesh,
        telemetry: new Map(mesh.nodes.map((node, index) => [node.id, readings[index] ?? null])),
      };
    },
    subscriber: deps.subscriber,
    channel: eventsChannel(prefix),
    routingChannel: routingChannel(prefix),
    logger: deps.logger,
  });
  const exporter = new MetricsExporter(deps.metricsRegistry ?? new Registry(), async () => {
    const [mesh, counters, queueCounts] = await Promise.all([
      readCurrentMesh(),
      deps.redis.hgetall(metricsCountersKey(prefix)),
      Promise.all(
        queues
          .list()
          .map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...JOB_STATES) })),
      ),
    ]);
    return { mesh, counters, queues: queueCounts };
  });

  const alerts = new AlertHistory(deps.redis, prefix);
  const reports = new ReportStore(deps.redis, prefix);
  app.use(dashboardRouter());
  app.use(BOARD_PATH, bullBoardRouter(queues));
  app.use(
    '/api',
    eventsRouter(hub),
    reportsRouter(reports),
    uptimeRouter(deps, reports),
    alertsRouter(alerts),
    timelineRouter(deps, alerts),
  );
  app.use(metricsRouter(exporter));
  return () => hub.close();
}

const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
