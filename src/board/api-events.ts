/** `GET /api/events`: the live stream the dashboard listens to (see event-hub.ts). */
import { Router } from 'express';
import type { EventHub } from './event-hub.js';

/** How long a refused listener is asked to wait before it tries again. */
const FULL_RETRY_AFTER_S = 5;

export function eventsRouter(hub: EventHub): Router {
  const router = Router();
  router.get('/events', async (_req, res) => {
    if (await hub.add(res)) return;
    res
      .status(503)
      .set('Retry-After', String(FULL_RETRY_AFTER_S))
      .json({ error: `too many event streams (at most ${hub.maxClients} at once)` });
  });
  return router;
}
