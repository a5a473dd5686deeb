import Router from 'express-promise-router';
import { Registry } from 'prom-client';

/** `GET /metrics` in the Prometheus text exposition format. */
export function createMetricsRouter(registry: Registry) {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
