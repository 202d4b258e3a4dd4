/** `GET /api/alerts?since=1h`: the alerts of the last `since` (default 1h), newest first. */
import { Router } from 'express';
import type { AlertHistory } from '../alerts/history.js';
import { describeInputError, sinceInput } from '../mesh/input.js';

const DEFAULT_SINCE = '1h';

export function alertsRouter(history: AlertHistory): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const since = sinceInput.safeParse(req.query.since ?? DEFAULT_SINCE);
    if (!since.success) {
      res.status(400).json({ error: describeInputError(since.error, {}, 'since') });
      return;
    }
    res.json(await history.list(since.data));
  });
  return router;
}
