/** The REST API of docs/http-api.md: mesh and node views, and actions as the CLI offers them. */
import express, { Router } from 'express';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { requestCheck } from '../manual/request-check.js';
import { readContext, readMesh, readNode } from '../mesh/read.js';
import { maintenanceRouter } from './api-maintenance.js';
import { nodeIdParam } from './api-params.js';
import type { ApiDeps } from './deps.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { route, withMeshNode } from './providers.js';
import { responseSignal } from './request-redis.js';

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.param('id', nodeIdParam);

  router.get('/openapi.json', (_req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });

  router.get('/mesh', async (_req, res) => {
    res.json(await readMesh(await readContext(deps.redis, deps.config(), deps.now())));
  });

  router.get(
    '/nodes/:id',
    route(
      withMeshNode(deps, async (_req, res, { context, node }) => {
        res.json(await readNode(context, node));
      }),
    ),
  );

  router.post(
    '/nodes/:id/check',
    route(
      withMeshNode(deps, async (_req, res, { node }) => {
        const config = deps.config();
        const checks = config.nodes.find((candidate) => candidate.id === node.id)?.checks ?? config.checks;
        const queue = deps.queues.get(QUEUE_NAMES.healthCheck);
        const summary = await requestCheck(queue, node.id, checks, { signal: responseSignal(res) });
        if (res.headersSent || res.destroyed) return;
        if (!summary) {
          res.status(504).json({ error: 'no worker answered in time' });
          return;
        }
        res.json(summary);
      }),
    ),
  );

  router.use(express.json(), maintenanceRouter(deps));
  return router;
}
