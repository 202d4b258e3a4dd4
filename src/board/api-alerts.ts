/** `GET /api/alerts?since=1h`: the alerts of the last `since` (default 1h), newest first. */
import { Router } from 'express';
import type { AlertHistory } from '../alerts/history.js';
import { NOT_A_DURATION, parseDuration } from '../config/duration.js';

const DEFAULT_SINCE = '1h';

export function alertsRouter(history: AlertHistory): Router {
  const router = Router();
  router.get('/alerts', async (req, res) => {
    const since = parseSince(req.query.since);
    if (since === null) {
      res.status(400).json({ error: `since: ${NOT_A_DURATION}` });
      return;
    }
    res.json(await history.list(since));
  });
  return router;
}

/** Milliseconds, or null when `since` is not one duration. */
export function parseSince(value: unknown): number | null {
  if (value === undefined) return parseDuration(DEFAULT_SINCE);
  if (typeof value !== 'string') return null;
  try {
    return parseDuration(value);
  } catch {
    return null;
  }
}
