/** The REST API of SPEC "HTTP": mesh and node views, and actions as the CLI offers them. */
import { Router } from 'express';
import { manualCheckWaitMs, requestCheck } from '../jobs/manual-check.js';
import { readMesh, readNode } from '../mesh/read.js';
import type { ServerDeps } from './server.js';

export function apiRouter(deps: ServerDeps): Router {
  const router = Router();

  router.get('/mesh', async (_req, res) => {
    res.json(await readMesh(deps.store, deps.config(), deps.now()));
  });

  router.get('/nodes/:id', async (req, res) => {
    const config = deps.config();
    const node = config.nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    res.json(await readNode(deps.store, config, node, deps.now()));
  });

  router.post('/nodes/:id/check', async (req, res) => {
    const node = deps.config().nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    const summary = await requestCheck(deps.checkQueue, node.id, manualCheckWaitMs(node));
    if (!summary) {
      res.status(504).json({ error: 'no worker answered in time' });
      return;
    }
    res.json(summary);
  });

  return router;
}
