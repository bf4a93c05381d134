import express, { type Express } from 'express';
import { authenticate } from './middleware/authenticate';
import { rateLimitPerKey } from './middleware/rate-limit';
import helmet from 'helmet';
import { openApiRoutes } from './openapi/openapi.routes';
import { errorHandler, notFound } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { agenciesRoutes } from './routes/agencies.routes';
import { documentsRoutes } from './routes/documents.routes';
import { edxmlRoutes } from './routes/edxml.routes';
import { evidenceRoutes } from './routes/evidence.routes';
import { peerEdxmlRoutes } from './routes/peer-edxml.routes';
import { healthRoutes } from './routes/health.routes';
import { devRevocationRoutes } from './routes/dev-revocation.routes';
import { metricsRoutes } from './routes/metrics.routes';
import { stageQueueDepth } from '../metrics/queue-depth';
import { inboxRoutes } from './routes/inbox.routes';
import { paperDispatchesRoutes } from './routes/paper-dispatches.routes';
import { reportsRoutes } from './routes/reports.routes';
import { statsRoutes } from './routes/stats.routes';
import { outboxRoutes } from './routes/outbox.routes';
import { searchRoutes } from './routes/search.routes';
import { statusesRoutes } from './routes/statuses.routes';
import { registersApiRoutes } from './routes/registers.routes';
import { webRoutes } from '../web/web.routes';
import type { AppDeps } from '../http/app-deps';
import { dispatchPacketRoutes } from './routes/dispatch-packet.routes';
import { overdueRoutes } from './routes/overdue.routes';
import { largeBodyGate } from './security/large-body-gate';
import { admissionGate } from './admission/admission-gate';
import { BacklogSampler } from './admission/backlog-sampler';
import { Stage } from '../../contracts';
import { logger } from '../logging/logger';
import { metricsExposure, requireMetricsToken } from './security/metrics-access';
import { requireScope } from './security/require-scope';
import { trustedProxySetting } from './security/trusted-proxies';

export type { AppDeps };

/** The gateway's Express app, without listening: tests mount it on port 0. */
export function createApp({ db, redis, config }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies named in LIENTHONG_TRUSTED_PROXIES.
  app.set('trust proxy', trustedProxySetting(config));
  app.use(requestContext);
  // API answers are JSON or files: the strictest headers cost nothing (the web UI sets its own).
  app.use(['/v1', '/health'], helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], frameAncestors: ["'none'"] } } }));
  app.use(healthRoutes(db, redis));
  if (config.LIENTHONG_DEV_MODE) app.use(devRevocationRoutes(db, config));
  const exposure = metricsExposure(config);
  if (exposure === 'token' || exposure === 'open-dev') {
    const guard = exposure === 'token' ? requireMetricsToken(config.LIENTHONG_METRICS_TOKEN!) : undefined;
    app.use(metricsRoutes(db, { queueDepth: stageQueueDepth(redis, config.LIENTHONG_QUEUE_PREFIX), ...(guard ? { guard } : {}) }));
  }
  app.use(openApiRoutes());
  // One gate for both kinds of body decoded whole in memory (JSON submissions, edXML envelopes).
  const gate = largeBodyGate(config.LIENTHONG_LARGE_BODY_CONCURRENCY);
  // Peer hubs authenticate with their shared HMAC, not an API key (issue 22): before the key check.
  app.use(peerEdxmlRoutes(db, config, gate));
  app.use('/v1', authenticate(db));
  app.use('/v1', rateLimitPerKey(redis, config.LIENTHONG_RATE_LIMIT_PER_MIN, config.LIENTHONG_QUEUE_PREFIX));
  app.use('/v1', requireScope);
  // Graceful overload (issue 25): new work is refused before its body is read when the pipeline
  // could not finish it in time (the observed queueing on a document's path); 429 per key (above) comes first.
  if (config.LIENTHONG_ADMISSION_MAX_DELAY_MS > 0) {
    const documentPath = [Stage.convert, Stage.sign, Stage.route, Stage.deliver];
    const backlog = new BacklogSampler(db, redis, config.LIENTHONG_QUEUE_PREFIX, documentPath, config.LIENTHONG_ADMISSION_SAMPLE_MS, (err) =>
      logger('admission').warn({ err }, 'pipeline backlog unavailable; admitting'),
    );
    app.post(['/v1/documents', '/v1/edxml'], admissionGate(() => backlog.backlog(), {
      maxDelayMs: config.LIENTHONG_ADMISSION_MAX_DELAY_MS,
      margin: config.LIENTHONG_ADMISSION_MARGIN,
      minBacklog: config.LIENTHONG_ADMISSION_MIN_BACKLOG,
    }));
  }
  app.use(documentsRoutes(db, config, gate));
  app.use(edxmlRoutes(db, config, gate));
  app.use(evidenceRoutes(db, config));
  app.use(inboxRoutes(db));
  app.use(outboxRoutes(db));
  app.use(searchRoutes(db));
  app.use(statusesRoutes(db));
  app.use(registersApiRoutes(db));
  app.use(agenciesRoutes(db));
  app.use(paperDispatchesRoutes(db, config));
  app.use(statsRoutes(db));
  app.use(reportsRoutes(db));
  app.use(dispatchPacketRoutes(db));
  app.use(overdueRoutes(db));
  app.use(webRoutes({ db, redis, config }));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
