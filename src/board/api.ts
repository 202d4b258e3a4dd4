/** The REST API of SPEC "HTTP": mesh and node views, and actions as the CLI offers them. */
import { Router } from 'express';
import { manualCheckWaitMs, requestCheck } from '../jobs/manual-check.js';
import { type ReadContext, readMesh, readNode } from '../mesh/read.js';
import { meshNodes } from '../mesh/registry.js';
import type { ServerDeps } from './server.js';

async function readContext(deps: ServerDeps): Promise<ReadContext> {
  const config = deps.config();
  const nodes = await meshNodes(deps.redis, config.redis.prefix, config.nodes);
  return { store: deps.store, nodes, retainMs: config.stats.retain, now: deps.now() };
}

export function apiRouter(deps: ServerDeps): Router {
  const router = Router();

  router.get('/mesh', async (_req, res) => {
    res.json(await readMesh(await readContext(deps)));
  });

  router.get('/nodes/:id', async (req, res) => {
    const context = await readContext(deps);
    const node = context.nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    res.json(await readNode(context, node));
  });

  router.post('/nodes/:id/check', async (req, res) => {
    const config = deps.config();
    const { nodes } = await readContext(deps);
    if (!nodes.some((candidate) => candidate.id === req.params.id)) {
      res.status(404).json({ error: `unknown node: ${req.params.id}` });
      return;
    }
    const node = config.nodes.find((candidate) => candidate.id === req.params.id);
    const summary = await requestCheck(
      deps.checkQueue,
      req.params.id,
      manualCheckWaitMs(node?.checks ?? config.checks),
    );
    if (!summary) {
      res.status(504).json({ error: 'no worker answered in time' });
      return;
    }
    res.json(summary);
  });

  return router;
}
