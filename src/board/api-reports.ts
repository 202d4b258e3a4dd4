/** `GET /api/reports/latest`: the latest stats report, 404 before the first. */
import { Router } from 'express';
import type { ReportStore } from '../metrics/report-store.js';

export function reportsRouter(reports: ReportStore): Router {
  const router = Router();
  router.get('/reports/latest', async (_req, res) => {
    const report = await reports.latest();
    if (!report) {
      res.status(404).json({ error: 'no stats report yet (one is made every stats.interval)' });
      return;
    }
    res.json(report);
  });
  return router;
}
