/** The REST API of docs/http-api.md: mesh and node views, and actions as the CLI offers them. */
import express, { Router } from 'express';
import { requestCheck } from '../jobs/manual-check.js';
import { type ReadContext, readContext, readMesh, readNode } from '../mesh/read.js';
import { maintenanceRouter } from './api-maintenance.js';
import type { ServerDeps } from './deps.js';

function currentContext(deps: ServerDeps): Promise<ReadContext> {
  return readContext(deps.redis, deps.config(), deps.now());
}

export function apiRouter(deps: ServerDeps): Router {
  const router = Router();

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
    const summary = await requestCheck(deps.checkQueue, req.params.id, node?.checks ?? config.checks);
    if (!summary) {
      res.status(504).json({ error: 'no worker answered in time' });
      return;
    }
    res.json(summary);
  });

  router.use(express.json(), maintenanceRouter(deps));
  return router;
}
