import { Router } from 'express';
import type { Db } from '../../db/pool';
import { createDatabaseRegistry } from '../../metrics/database-metrics';
import { METRICS_CONTENT_TYPE, processRegistry, renderMetrics } from '../../metrics/metrics';
import { createQueueDepthRegistry, type QueueDepthGetter } from '../../metrics/queue-depth';

/**
 * GET /metrics for Prometheus, outside /v1 and without an API key (Prometheus does not send one).
 * It reveals volumes and agency codes, not documents: operators expose it only to the monitoring
 * network, by not routing /metrics at the public proxy.
 */
export function metricsRoutes(db: Db, opts: { queueDepth?: QueueDepthGetter } = {}): Router {
  const registries = [processRegistry, createDatabaseRegistry(db), ...(opts.queueDepth ? [createQueueDepthRegistry(opts.queueDepth)] : [])];
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', METRICS_CONTENT_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await renderMetrics(registries));
  });
  return router;
}
