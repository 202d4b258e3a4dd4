/** The REST API of docs/http-api.md: mesh and node views, and actions as the CLI offers them. */
import express, { Router } from 'express';
import { requestCheck } from '../jobs/manual-check.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { type ReadContext, readContext, readMesh, readNode } from '../mesh/read.js';
import { maintenanceRouter } from './api-maintenance.js';
import { nodeIdParam } from './api-params.js';
import type { ApiDeps } from './deps.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { responseSignal } from './request-redis.js';

function currentContext(deps: ApiDeps): Promise<ReadContext> {
  return readContext(deps.redis, deps.config(), deps.now());
}

export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.param('id', nodeIdParam);

  router.get('/openapi.json', (_req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });

  router.get('/mesh', async (_req, res) => {
    res.json(await readMesh(await currentContext(deps)));
  });

  router.get('/nodes/:id', async (req, res) => {
    const context = await currentContext(deps);
    const node = context.nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    res.json(await readNode(context, node));
  });

  router.post('/nodes/:id/check', async (req, res) => {
    const config = deps.config();
    const { nodes } = await currentContext(deps);
    if (!nodes.some((candidate) => candidate.id === req.params.id)) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    const node = config.nodes.find((candidate) => candidate.id === req.params.id);
    const summary = await requestCheck(
      deps.queues.get(QUEUE_NAMES.healthCheck),
      req.params.id,
      node?.checks ?? config.checks,
      { signal: responseSignal(res) },
    );
    if (res.headersSent || res.destroyed) return;
    if (!summary) {
      res.status(504).json({ error: 'no worker answered in time' });
      return;
    }
    res.json(summary);
  });

  router.use(express.json(), maintenanceRouter(deps));
  return router;
}
