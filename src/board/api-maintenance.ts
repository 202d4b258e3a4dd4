/** `POST /api/nodes/:id/recover`, `POST|DELETE /api/nodes/:id/silence`: what `recover` and `silence` do. */
import { Queue } from 'bullmq';
import { type Request, type Response, Router } from 'express';
import { parseDuration } from '../config/duration.js';
import type { NodeConfig } from '../config/types.js';
import { awaitRecovery, enqueueManualRecovery } from '../jobs/manual-recovery.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { silenceNode, unsilenceNode } from '../mesh/silence.js';
import type { ServerDeps } from './deps.js';

function configuredNode(deps: ServerDeps, req: Request, res: Response): NodeConfig | null {
  const node = deps.config().nodes.find((candidate) => candidate.id === req.params.id);
  if (!node) res.status(404).json({ error: `unknown node: ${req.params.id}` });
  return node ?? null;
}

export function maintenanceRouter(deps: ServerDeps): Router {
  const router = Router();
  const recoveryQueue = new Queue(QUEUE_NAMES.recovery, {
    connection: deps.redis,
    prefix: deps.config().redis.prefix,
  });

  router.post('/nodes/:id/recover', async (req, res) => {
    const node = configuredNode(deps, req, res);
    if (!node) return;
    if (node.recovery.kind === 'none') {
      res.status(400).json({ error: `node ${node.id} has no recovery configured (recovery.kind: none)` });
      return;
    }
    const jobId = await enqueueManualRecovery(recoveryQueue, node, deps.now());
    if (req.query.wait === 'false') {
      res.status(202).json({ nodeId: node.id, jobId });
      return;
    }
    const outcome = await awaitRecovery(recoveryQueue, jobId, node, deps.config().recovery);
    switch (outcome.kind) {
      case 'completed':
        res.json({ ...outcome.value, jobId });
        return;
      case 'failed':
        res.status(502).json({ nodeId: node.id, outcome: 'failed', error: outcome.reason, jobId });
        return;
      case 'not_picked_up':
        res.status(504).json({ error: 'no worker answered in time', jobId });
        return;
      case 'timed_out':
        res.status(504).json({ error: 'the recovery is still running; see it in Bull Board', jobId });
        return;
    }
  });

  router.post('/nodes/:id/silence', async (req, res) => {
    const node = configuredNode(deps, req, res);
    if (!node) return;
    const body = (req.body ?? {}) as { for?: unknown; reason?: unknown };
    let forMs: number;
    try {
      forMs = parseDuration(String(body.for ?? ''));
    } catch {
      res.status(400).json({ error: 'for: a duration is required, e.g. "2h"' });
      return;
    }
    if (body.reason !== undefined && typeof body.reason !== 'string') {
      res.status(400).json({ error: 'reason: must be a string' });
      return;
    }
    const { prefix } = deps.config().redis;
    const silence = await silenceNode(deps.redis, prefix, node.id, forMs, body.reason ?? '', deps.now());
    res.json({ nodeId: node.id, silenced: true, ...silence });
  });

  router.delete('/nodes/:id/silence', async (req, res) => {
    const node = configuredNode(deps, req, res);
    if (!node) return;
    const removed = await unsilenceNode(deps.redis, deps.config().redis.prefix, node.id);
    res.json({ nodeId: node.id, silenced: false, removed });
  });

  return router;
}
