/** `POST /api/nodes/:id/recover`, `POST|DELETE /api/nodes/:id/silence`: what `recover` and `silence` do. */
import { Router } from 'express';
import * as z from 'zod';
import type { NodeConfig } from '../config/types.js';
import { requestEvaluation } from '../jobs/alert-evaluate.js';
import { QUEUE_NAMES } from '../jobs/queues.js';
import { awaitRecovery, enqueueManualRecovery } from '../manual/request-recovery.js';
import { describeInputError, silenceInput } from '../mesh/input.js';
import { silenceNode, unsilenceNode } from '../mesh/silence.js';
import { nodeIdParam } from './api-params.js';
import type { ApiDeps } from './deps.js';
import { type Handler, route, withConfiguredNode, withQuery } from './providers.js';
import { responseSignal } from './request-redis.js';

/** `?wait=false` enqueues the recovery and answers 202 at once. */
const recoverQuery = z.object({
  wait: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

type RecoverQuery = z.output<typeof recoverQuery>;

export function maintenanceRouter(deps: ApiDeps): Router {
  const router = Router();
  router.param('id', nodeIdParam);

  const recover: Handler<{ query: RecoverQuery; node: NodeConfig }> = async (_req, res, { query, node }) => {
    if (node.recovery.kind === 'none') {
      res.status(400).json({ error: `node ${node.id} has no recovery configured (recovery.kind: none)` });
      return;
    }
    const recoveryQueue = deps.queues.get(QUEUE_NAMES.recovery);
    const jobId = await enqueueManualRecovery(recoveryQueue, node, deps.now());
    if (query.wait === 'false') {
      res.status(202).json({ nodeId: node.id, jobId });
      return;
    }
    const signal = responseSignal(res);
    const outcome = await awaitRecovery(recoveryQueue, jobId, node, deps.config().recovery, signal);
    if (res.headersSent || res.destroyed) return;
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
      case 'aborted':
        return;
    }
  };

  router.post('/nodes/:id/recover', route(withQuery(recoverQuery, withConfiguredNode(deps, recover))));

  router.post(
    '/nodes/:id/silence',
    route(
      withConfiguredNode(deps, async (req, res, { node }) => {
        const config = deps.config();
        const input = silenceInput(config.alerts.maxSilence).safeParse(req.body ?? {});
        if (!input.success) {
          res.status(400).json({ error: describeInputError(input.error) });
          return;
        }
        const { for: forMs, reason = '' } = input.data;
        const silence = await silenceNode(
          deps.redis,
          config.redis.prefix,
          node.id,
          forMs,
          reason,
          deps.now(),
        );
        // Silenced nodes do not count for mesh_down: the time-based rules look again.
        await requestEvaluation(deps.queues.get(QUEUE_NAMES.alerts), config, deps.now(), deps.now());
        res.json({ nodeId: node.id, silenced: true, ...silence });
      }),
    ),
  );

  router.delete(
    '/nodes/:id/silence',
    route(
      withConfiguredNode(deps, async (_req, res, { node }) => {
        const removed = await unsilenceNode(deps.redis, deps.config().redis.prefix, node.id);
        if (removed)
          await requestEvaluation(deps.queues.get(QUEUE_NAMES.alerts), deps.config(), deps.now(), deps.now());
        res.json({ nodeId: node.id, silenced: false, removed });
      }),
    ),
  );

  return router;
}
