/** `GET /metrics`: Prometheus text (see metrics/families.ts for what each family is). */
import { Router } from 'express';
import type { MetricsExporter } from '../metrics/exporter.js';

export function metricsRouter(exporter: MetricsExporter): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const body = await exporter.render();
    res.set('Content-Type', exporter.contentType).send(body);
  });
  return router;
}
