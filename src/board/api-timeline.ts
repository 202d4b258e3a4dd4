/**
 * `GET /api/nodes/:id/timeline?window=24h`: what the dashboard's node detail draws — the status
 * timeline (`mesh/timeline.ts`), the checks of the window for the latency chart, and the incidents
 * of the window from the alert history, each with its recovery job's id in Bull Board.
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { AlertHistory } from '../alerts/history.js';
import { nodeIncidents } from '../alerts/incidents.js';
import type { MeshConfig } from '../config/types.js';
import { recoveryJob } from '../jobs/recovery.js';
import { durationInput } from '../mesh/input.js';
import type { ReadContext } from '../mesh/read.js';
import type { NodeInfo } from '../mesh/registry.js';
import { buildTimeline } from '../mesh/timeline.js';
import { nodeIdParam } from './api-params.js';
import { type Handler, route, withMeshNode, withQuery } from './providers.js';

/** A timeline covers from 1 h to 7 d; 24 h when not asked. */
const timelineQuery = z.strictObject({
  window: durationInput(3_600_000, 7 * 86_400_000).optional(),
});

type Found = { query: z.output<typeof timelineQuery>; context: ReadContext; node: NodeInfo };

export function timelineRouter(
  deps: { config(): MeshConfig; redis: Redis; now(): number },
  alerts: AlertHistory,
): Router {
  const router = Router();
  router.param('id', nodeIdParam);
  const timeline = timelineOf(deps, alerts);
  router.get('/nodes/:id/timeline', route(withQuery(timelineQuery, withMeshNode(deps, timeline))));
  return router;
}

/** The timeline of one node, over `window` (24 h when not asked). */
function timelineOf(deps: { now(): number }, alerts: AlertHistory): Handler<Found> {
  return async (_req, res, { query, context, node }) => {
    const windowMs = query.window ?? 86_400_000;
    const now = deps.now();
    const nodeId = node.id;
    const [[found], history, recent] = await Promise.all([
      context.store.readWithUptime([nodeId]),
      context.store.history(nodeId),
      alerts.list(windowMs),
    ]);
    const { stored, uptime } = found!;
    const timeline = buildTimeline(uptime, history, { now, windowMs, retainMs: context.retainMs });
    const iso = (ms: number) => new Date(ms).toISOString();
    res.json({
      nodeId,
      windowMs,
      from: iso(timeline.from),
      to: iso(timeline.to),
      cellMs: timeline.cellMs,
      cells: timeline.cells.map((cell) => ({ ...cell, from: iso(cell.from) })),
      checks: history
        .filter((record) => record.at >= timeline.from)
        .reverse()
        .map((record) => ({ at: iso(record.at), ok: record.ok, latencyMs: record.latencyMs })),
      incidents: nodeIncidents(recent, nodeId, stored.state.incidentId).map((incident) => ({
        ...incident,
        start: iso(incident.start),
        end: incident.end === null ? null : iso(incident.end),
        durationMs:
          incident.end !== null
            ? incident.end - incident.start
            : incident.ongoing
              ? now - incident.start
              : null,
        recoveryJobId: recoveryJob.autoJobId(nodeId, incident.id),
      })),
    });
  };
}
