import { Queue, Worker } from 'bullmq';
import { REPORTS_QUEUE, STAGES, isStage, type Stage } from '../contracts';
import { loadConfig } from '../services/config/config';
import { createPool, SERVICE_IDLE_TIMEOUT_MS } from '../services/db/pool';
import { bufferLogLines, logger } from '../services/logging/logger';
import { startPipeline } from '../services/pipeline/pipeline-runtime';
import { createRedis } from '../services/pipeline/redis';
import { domainSweepChores } from '../services/domain/sweep-chores';
import { startReminders } from '../services/domain/notifications/reminder-scheduler';
import { createStageWorker } from './runtime/stage-worker';
import { sweepTempDir, tempDirOf } from '../services/domain/blobs/temp-files';
import { closeConvertThreads, configureConvertThreads } from '../services/convert/convert-in-worker';
import { quarterlyReportProcessor, registerQuarterlyReportScheduler } from '../services/reports/quarterly-report.job';
import { startMetricsServer } from '../services/metrics/metrics-server';
import { createQueueDepthRegistry, stageQueueDepth } from '../services/metrics/queue-depth';
import { startBackupScheduler } from '../services/backup/backup-scheduler';
import { s3Option } from '../services/backup/s3-target';
import { backupTarget } from '../services/backup/backup-target';
import { startRenewalScheduler } from '../services/domain/documents/renewal-scheduler';
import { startProofScheduler } from '../services/evidence/proof-scheduler';
import { axisSettings } from '../services/axis/axis-client';
import { startAxisPoller } from '../services/axis/axis-poller';
import { acceptLimitsFrom } from '../services/domain/documents/accept-limits';

const log = logger('workers');

/** `node dist/workers/main.js [--only convert,sign]`: the stage workers, the outbox relay, the sweeper. */
async function main(): Promise<void> {
  const config = loadConfig();
  bufferLogLines(config.LIENTHONG_LOG_BUFFER_BYTES);
  const stages = parseOnly(process.argv.slice(2));
  // Temporary copies of large files left by a worker killed mid-job (a running job's are younger).
  const swept = sweepTempDir(tempDirOf(config.LIENTHONG_DATA_DIR));
  if (swept > 0) log.info({ swept }, 'stale temporary files removed');
  const db = createPool(config.DATABASE_URL, {
    max: config.LIENTHONG_WORKER_CONCURRENCY * stages.length + (stages.includes('deliver') ? config.LIENTHONG_DELIVER_CONCURRENCY : 0) + 4,
    application: 'lienthong-worker',
    prepared: config.LIENTHONG_DB_PREPARED_STATEMENTS,
    idleTimeoutMs: SERVICE_IDLE_TIMEOUT_MS,
  });
  const workerRedis = createRedis(config, 'worker');
  const producerRedis = createRedis(config, 'producer');
  // One warm conversion thread per convert job that can run at once (see convert-in-worker.ts).
  if (stages.includes('convert')) configureConvertThreads(config.LIENTHONG_WORKER_CONCURRENCY, { prewarm: true });
  // A convert job signs, routes and delivers the hosted copies itself when this process runs those stages (stage-chain.ts).
  const workers: Worker[] = stages.map((s) => createStageWorker(s, { db, config, connection: workerRedis, runs: stages }));
  for (const w of workers) w.on('error', (err) => log.warn({ err }, 'worker error'));
  // The quarterly report: the scheduler is an upsert by a fixed id, safe in every process; BullMQ
  // hands each due run to exactly one worker.
  const reportsQueue = new Queue(REPORTS_QUEUE, { connection: producerRedis, prefix: config.LIENTHONG_QUEUE_PREFIX });
  await registerQuarterlyReportScheduler(reportsQueue).catch((err) => log.warn({ err }, 'report scheduler not registered yet; Redis unreachable'));
  const reportsWorker = new Worker(REPORTS_QUEUE, quarterlyReportProcessor(db), { connection: workerRedis, prefix: config.LIENTHONG_QUEUE_PREFIX, concurrency: 1 });
  reportsWorker.on('error', (err) => log.warn({ err }, 'reports worker error'));
  const metricsServer = config.LIENTHONG_WORKER_METRICS_PORT
    ? await startMetricsServer(config.LIENTHONG_WORKER_METRICS_PORT, {
        host: config.HOST,
        extra: [createQueueDepthRegistry(stageQueueDepth(producerRedis, config.LIENTHONG_QUEUE_PREFIX))],
      })
    : undefined;
  // The outbox relay, the stage queues and the sweeper (services/pipeline).
  const pipeline = await startPipeline(db, producerRedis, {
    queuePrefix: config.LIENTHONG_QUEUE_PREFIX,
    sessionUrl: config.LIENTHONG_DATABASE_SESSION_URL ?? config.DATABASE_URL,
    relayPollMs: config.LIENTHONG_RELAY_POLL_MS,
    sweepIntervalMs: config.LIENTHONG_SWEEP_INTERVAL_MS,
    sweepAgeMs: config.LIENTHONG_SWEEP_AGE_MS,
    outboxRetentionMs: config.LIENTHONG_OUTBOX_RETENTION_MS,
  }, domainSweepChores);
  // Scheduled base backups and retention (WAL is archived continuously by the server itself).
  const backups = config.LIENTHONG_BACKUP_DIR && config.LIENTHONG_BACKUP_DIR !== 'off'
    ? startBackupScheduler(db, {
      target: backupTarget(config.LIENTHONG_BACKUP_DIR), databaseUrl: config.DATABASE_URL, baseEveryMin: config.LIENTHONG_BACKUP_BASE_EVERY_MIN, keepDays: config.LIENTHONG_BACKUP_KEEP_DAYS,
      ...s3Option(), // LIENTHONG_BACKUP_S3_*: the folder is also copied to an S3-compatible bucket
    })
    : undefined;
  const reminders = startReminders(db, config);
  // Issue 21: new document timestamps before the TSA certificates of documents' newest ones expire.
  const renewals = startRenewalScheduler(db, config);
  // Signed receipts still owed, and the daily RFC 3161 anchors of the ledger chains (issue 21).
  const proofs = startProofScheduler(db, config);
  // The national document exchange axis, when configured: one process at a time polls it (a lease).
  const axis = axisSettings(config);
  const axisPoller = axis
    ? startAxisPoller(db, axis, { ...acceptLimitsFrom(config), maxInputBytes: config.LIENTHONG_MAX_JSON_BYTES }, logger('axis'))
    : undefined;
  log.info({ stages }, 'workers started');

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info({ signal }, 'stopping: in-flight jobs finish first');
      pipeline.sweeper.stop();
      await backups?.stop();
      reminders.stop();
      await renewals.stop();
      proofs.stop();
      await axisPoller?.stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await reportsWorker.close();
      await pipeline.stop();
      await reportsQueue.close();
      await metricsServer?.close();
      await closeConvertThreads();
      await Promise.allSettled([workerRedis.quit(), producerRedis.quit()]);
      await db.end().catch(() => undefined);
      log.info('workers stopped');
    })());
  process.on('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));
  process.on('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
}

function parseOnly(args: string[]): Stage[] {
  const i = args.indexOf('--only');
  if (i === -1) return [...STAGES];
  const list = (args[i + 1] ?? '').split(',').filter(Boolean);
  const bad = list.filter((s) => !isStage(s));
  if (bad.length > 0 || list.length === 0) throw new Error(`--only takes stages among ${STAGES.join(', ')}; got ${args[i + 1] ?? 'nothing'}`);
  return list as Stage[];
}

main().catch((err) => {
  log.fatal({ err }, 'workers failed to start');
  process.exitCode = 1;
});
