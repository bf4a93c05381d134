import http, { type Server } from 'node:http';
import { loadConfig } from '../config/config';
import { createPool, SERVICE_IDLE_TIMEOUT_MS } from '../db/pool';
import { bufferLogLines, logger } from '../logging/logger';
import { createRedis } from '../pipeline/redis';
import { createApp } from './app';
import { sweepTempDir, tempDirOf } from '../domain/blobs/temp-files';
import { startMetricsServer } from '../metrics/metrics-server';
import { stageQueueDepth } from '../metrics/queue-depth';
import { gatewayRegistries } from './routes/metrics.routes';
import { metricsExposure } from './security/metrics-access';

const log = logger('gateway');

/** `node dist/services/gateway/main.js`: the HTTP gateway. */
async function main(): Promise<void> {
  const config = loadConfig();
  bufferLogLines(config.LIENTHONG_LOG_BUFFER_BYTES);
  const db = createPool(config.DATABASE_URL, { max: 20, application: 'lienthong-gateway', prepared: config.LIENTHONG_DB_PREPARED_STATEMENTS, idleTimeoutMs: SERVICE_IDLE_TIMEOUT_MS });
  const redis = createRedis(config, 'producer');
  // Temporary files of uploads a killed gateway left behind (older than any request can live).
  const swept = sweepTempDir(tempDirOf(config.LIENTHONG_DATA_DIR));
  if (swept > 0) log.info({ swept }, 'removed stale temporary files');
  const app = createApp({ db, redis, config });
  // Slow clients (slowloris) are cut off: headers within 10 s, the whole request within 120 s
  // (a 50 MB upload on a slow provincial link), checked every 5 s instead of Node's 30 s.
  const server: Server = http.createServer({ headersTimeout: 10_000, requestTimeout: 120_000, connectionsCheckingInterval: 5_000 }, app);
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  log.info({ url: `http://${config.HOST}:${port}` }, 'gateway listening');
  const exposure = metricsExposure(config);
  const metrics =
    exposure === 'separate-port'
      ? await startMetricsServer(config.LIENTHONG_METRICS_PORT, { host: config.HOST, extra: gatewayRegistries(db, stageQueueDepth(redis, config.LIENTHONG_QUEUE_PREFIX)).slice(1) })
      : undefined;
  if (metrics) log.info({ port: metrics.port }, '/metrics on its own port');
  if (exposure === 'off') log.warn('/metrics is not served: set LIENTHONG_METRICS_TOKEN or LIENTHONG_METRICS_PORT');

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info({ signal }, 'stopping: finishing requests in flight');
      await new Promise<void>((r) => server.close(() => r()));
      await metrics?.close();
      await redis.quit().catch(() => undefined);
      await db.end().catch(() => undefined);
      log.info('gateway stopped');
    })());
  process.on('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));
  process.on('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
}

main().catch((err) => {
  log.fatal({ err }, 'gateway failed to start');
  process.exitCode = 1;
});
