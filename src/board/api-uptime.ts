/**
 * `GET /api/uptime`: each node's mesh uptime over the last 24 h and 7 d, from the stored stats
 * reports (`metrics/uptime.ts`), in the order of `/api/mesh`. No query field is taken: any is a 400
 * naming it.
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { MeshConfig } from '../config/types.js';
import { meshNodes } from '../mesh/registry.js';
import type { ReportStore } from '../metrics/report-store.js';
import { meshUptime, UPTIME_PERIODS } from '../metrics/uptime.js';
import { route, withQuery } from './providers.js';

const uptimeQuery = z.strictObject({});

export function uptimeRouter(
  deps: { config(): MeshConfig; redis: Redis; now(): number },
  reports: ReportStore,
): Router {
  const router = Router();
  router.get(
    '/uptime',
    route(
      withQuery(uptimeQuery, async (_req, res) => {
        const config = deps.config();
        const now = deps.now();
        const [nodes, stored] = await Promise.all([
          meshNodes(deps.redis, config.redis.prefix, config.nodes),
          reports.since(now - UPTIME_PERIODS.d7),
        ]);
        res.json({ nodes: meshUptime(stored, nodes, now) });
      }),
    ),
  );
  return router;
}
