import { Router, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Db } from '../../db/pool';
import { createDatabaseRegistry } from '../../metrics/database-metrics';
import { METRICS_CONTENT_TYPE, processRegistry, renderMetrics } from '../../metrics/metrics';
import { createQueueDepthRegistry, type QueueDepthGetter } from '../../metrics/queue-depth';

/** What the gateway's /metrics shows: the process, what PostgreSQL knows, the queue depths. */
export function gatewayRegistries(db: Db, queueDepth?: QueueDepthGetter): Registry[] {
  return [processRegistry, createDatabaseRegistry(db), ...(queueDepth ? [createQueueDepthRegistry(queueDepth)] : [])];
}

/**
 * GET /metrics for Prometheus, outside /v1 and without an API key (Prometheus does not send one).
 * It reveals volumes and agency codes, not documents: `guard` (a bearer token) protects it on the
 * API port; or the gateway serves it on a port of its own instead (see metricsExposure).
 */
export function metricsRoutes(db: Db, opts: { queueDepth?: QueueDepthGetter; guard?: RequestHandler } = {}): Router {
  const registries = gatewayRegistries(db, opts.queueDepth);
  const router = Router();
  router.get('/metrics', ...(opts.guard ? [opts.guard] : []), async (_req, res) => {
    res.setHeader('Content-Type', METRICS_CONTENT_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await renderMetrics(registries));
  });
  return router;
}
