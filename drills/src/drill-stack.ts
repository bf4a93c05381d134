import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres } from '../../infra/embedded/embedded-postgres';
import { startEmbeddedRedis } from '../../infra/embedded/embedded-redis';
import type { EmbeddedServer } from '../../infra/embedded/common';
import { createPool, type Db } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { createAgencies, type TestAgency } from '../../test/support/agencies.fixture';
import { spawnGateway, type GatewayProcess } from '../../test/support/gateway-process';
import { startPushReceiver } from '../../test/support/push-receiver';
import { startRecordingServer, type RecordingServer } from '../../test/support/hostile-receivers';
import { setTestEnv } from '../../test/support/test-env';
import { spawnWorker, type WorkerProcess } from '../../test/support/worker.fixture';

export const WEBHOOK_SECRET = 'drill-webhook-secret';
/** Short locks and retries so a killed job is taken over in seconds, not the production 30 s. */
export const QUICK = { LIENTHONG_JOB_LOCK_MS: '2000', LIENTHONG_STALLED_INTERVAL_MS: '1000', LIENTHONG_RETRY_BASE_MS: '200', LIENTHONG_RETRY_MAX_MS: '1000' };

/** Everything a scenario needs: private servers it may kill, the processes, agencies, the receiver. */
export interface DrillStack {
  dir: string;
  pg: EmbeddedServer;
  redis: EmbeddedServer;
  db: Db;
  gateway: GatewayProcess;
  sender: TestAgency;
  recipients: TestAgency[];
  receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  /** A second listener the receiver may redirect to: nothing must ever reach it. */
  redirectTarget?: RecordingServer;
  /** Documents of the scenario running now (load.ts adds them): a failed scenario's are settled before the next. */
  inFlight?: string[];
  workers: WorkerProcess[];
  worker(env?: Record<string, string>): WorkerProcess;
  stopWorkers(): Promise<void>;
  restartPostgres(): Promise<void>;
  restartRedis(): Promise<void>;
  close(): Promise<void>;
}

export async function startDrillStack(hostedRecipients: number): Promise<DrillStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-drill-'));
  fs.chmodSync(dir, 0o755);
  const pgDir = path.join(dir, 'postgres');
  const redisDir = path.join(dir, 'redis');
  const [pg, redis] = await Promise.all([startEmbeddedPostgres({ dir: pgDir, fast: true }), startEmbeddedRedis({ dir: redisDir })]);
  try {
    return await assembleStack(dir, pgDir, redisDir, pg, redis, hostedRecipients);
  } catch (err) {
    // A stack that could not be assembled leaves nothing running.
    await Promise.allSettled([pg.stop(), redis.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function assembleStack(dir: string, pgDir: string, redisDir: string, pg: EmbeddedServer, redis: EmbeddedServer, hostedRecipients: number): Promise<DrillStack> {
  const masterKeyHex = randomBytes(32).toString('hex');
  const queuePrefix = 'lt-drill';
  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    LIENTHONG_DEV_MODE: '1',
    LIENTHONG_MASTER_KEY: masterKeyHex,
    LIENTHONG_QUEUE_PREFIX: queuePrefix,
    LIENTHONG_DATA_DIR: dir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  setTestEnv({ databaseUrl: pg.url, redisUrl: redis.url, queuePrefix, masterKeyHex });
  const db = createPool(pg.url, { max: 4 });
  db.on('error', () => undefined); // idle clients die with PostgreSQL in the restart scenario
  await migrate(db);
  const receiver = await startPushReceiver(WEBHOOK_SECRET, ['ok']);
  const redirectTarget = await startRecordingServer();
  try {
    const [sender, ...hosted] = await createAgencies(db, 1 + hostedRecipients);
    const pushed = await createAgencies(db, 1, { channel: 'push', endpointUrl: receiver.url, secret: WEBHOOK_SECRET });
    const gateway = await spawnGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' });
    return buildStack({ dir, pgDir, redisDir, pg, redis, db, gateway, sender: sender!, recipients: [...hosted, ...pushed], receiver, redirectTarget });
  } catch (err) {
    await Promise.allSettled([receiver.close(), redirectTarget.close(), db.end()]);
    throw err;
  }
}

function buildStack(p: {
  dir: string;
  pgDir: string;
  redisDir: string;
  pg: EmbeddedServer;
  redis: EmbeddedServer;
  db: Db;
  gateway: GatewayProcess;
  sender: TestAgency;
  recipients: TestAgency[];
  receiver: DrillStack['receiver'];
  redirectTarget: RecordingServer;
}): DrillStack {
  const { dir, pgDir, redisDir, pg, redis, db, gateway, receiver, redirectTarget } = p;
  const stack: DrillStack = {
    dir,
    pg,
    redis,
    db,
    gateway,
    sender: p.sender,
    recipients: p.recipients,
    receiver,
    redirectTarget,
    inFlight: [],
    workers: [],
    worker(env = {}) {
      const w = spawnWorker({ ...QUICK, ...env });
      stack.workers.push(w);
      return w;
    },
    async stopWorkers() {
      // SIGTERM lets jobs in flight finish; a fault-injected worker holds its job for minutes, so
      // after a grace period it is killed: a scenario never leaves a process behind.
      await Promise.all(stack.workers.splice(0).map((w) => stopWithin(w, STOP_GRACE_MS)));
    },
    async restartPostgres() {
      stack.pg = await startEmbeddedPostgres({ dir: pgDir, fast: true, port: stack.pg.port });
    },
    async restartRedis() {
      stack.redis = await startEmbeddedRedis({ dir: redisDir, port: stack.redis.port });
    },
    async close() {
      await stack.stopWorkers();
      await stack.gateway.stop();
      await receiver.close();
      await redirectTarget?.close();
      await db.end().catch(() => undefined);
      await Promise.all([stack.pg.stop(), stack.redis.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

const STOP_GRACE_MS = 10_000;

/** SIGTERM, and SIGKILL if the process is still there after `graceMs`. */
export async function stopWithin(w: WorkerProcess, graceMs: number): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const stopped = w.stop().then(() => true);
  const inTime = await Promise.race([stopped, new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
  if (!inTime) await w.kill9();
}
