/** `GET /api/events`: the live stream the dashboard listens to (see event-hub.ts). */
import { Router } from 'express';
import type { EventHub } from './event-hub.js';

const RECONNECT_AFTER_MS = 2000;

export function eventsRouter(hub: EventHub): Router {
  const router = Router();
  router.get('/events', async (_req, res) => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers responses unless told not to.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_AFTER_MS}\n\n`);
    await hub.add(res);
  });
  return router;
}
