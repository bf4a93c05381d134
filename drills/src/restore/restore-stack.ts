import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { startEmbeddedPostgres } from '../../../infra/embedded/embedded-postgres';
import { startEmbeddedRedis } from '../../../infra/embedded/embedded-redis';
import { needsSeed, seedDemo } from '../../../infra/seed/seed-demo';
import { archiveSettings } from '../../../services/backup/archive-settings';
import { backupTarget, ensurePrivateTarget, ownerOf, type BackupTarget } from '../../../services/backup/backup-target';
import { createPool } from '../../../services/db/pool';
import { migrate } from '../../../services/db/migrator';
import { createAgencies } from '../../../test/support/agencies.fixture';
import { spawnGateway } from '../../../test/support/gateway-process';
import { startPushReceiver } from '../../../test/support/push-receiver';
import { setTestEnv } from '../../../test/support/test-env';
import { spawnWorker } from '../../../test/support/worker.fixture';
import { QUICK, WEBHOOK_SECRET, type DrillStack } from '../drill-stack';

/**
 * The `make drill` stack with what a restore needs: PostgreSQL archiving its WAL into a private
 * backup folder kept outside the data folder (dir/data/{postgres,redis} vs dir/backups), and the
 * service (gateway + workers) that can be stopped, or killed, and started again on a restored
 * database. The restored server takes the old one's port, so every URL stays the same.
 */
export interface RestoreStack extends DrillStack {
  dataDir: string;
  pgDir: string;
  redisDir: string;
  backups: BackupTarget;
  archiveTimeoutS: number;
  startService(): Promise<void>;
  /** SIGTERM (the operator stops the service) or kill -9 (the machine lost its disk). */
  stopService(how: 'stop' | 'kill'): Promise<void>;
  flushQueues(): Promise<void>;
}

/** Short sweeper period and age: work a restore put back in flight is re-published within seconds. */
const SWEEP = { LIENTHONG_SWEEP_INTERVAL_MS: '1000', LIENTHONG_SWEEP_AGE_MS: '3000' };

export async function startRestoreStack(hostedRecipients: number, archiveTimeoutS: number): Promise<RestoreStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-restore-drill-'));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const pgDir = path.join(dataDir, 'postgres');
  const redisDir = path.join(dataDir, 'redis');
  const backups = backupTarget(path.join(dir, 'backups'));
  ensurePrivateTarget(backups);
  const pg = await startEmbeddedPostgres({ dir: pgDir, settings: archiveSettings(backups.walDir, archiveTimeoutS) });
  ensurePrivateTarget(backups, ownerOf(pg.dataDir!));
  const redis = await startEmbeddedRedis({ dir: redisDir });
  const masterKeyHex = randomBytes(32).toString('hex');
  const queuePrefix = 'lt-restore-drill';
  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    LIENTHONG_DEV_MODE: '1',
    LIENTHONG_MASTER_KEY: masterKeyHex,
    LIENTHONG_QUEUE_PREFIX: queuePrefix,
    LIENTHONG_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  setTestEnv({ databaseUrl: pg.url, redisUrl: redis.url, queuePrefix, masterKeyHex });
  const db = createPool(pg.url, { max: 4 });
  db.on('error', () => undefined); // idle clients die with PostgreSQL in every scenario
  await migrate(db);
  if (await needsSeed(db)) await seedDemo(db, Buffer.from(masterKeyHex, 'hex'));
  const receiver = await startPushReceiver(WEBHOOK_SECRET, ['ok']);
  const [sender, ...hosted] = await createAgencies(db, 1 + hostedRecipients);
  const pushed = await createAgencies(db, 1, { channel: 'push', endpointUrl: receiver.url, secret: WEBHOOK_SECRET });
  const gatewayEnv = { LIENTHONG_RATE_LIMIT_PER_MIN: '0', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' };
  const gateway = await spawnGateway(gatewayEnv);
  const stack: RestoreStack = {
    dir,
    dataDir,
    pgDir,
    redisDir,
    backups,
    archiveTimeoutS,
    pg,
    redis,
    db,
    gateway,
    sender: sender!,
    recipients: [...hosted, ...pushed],
    receiver,
    workers: [],
    worker(env = {}) {
      const w = spawnWorker({ ...QUICK, ...SWEEP, ...env });
      stack.workers.push(w);
      return w;
    },
    async stopWorkers() {
      await Promise.all(stack.workers.splice(0).map((w) => (w.child.exitCode === null && w.child.signalCode === null ? w.stop() : undefined)));
    },
    async restartPostgres() {
      stack.pg = await startEmbeddedPostgres({ dir: pgDir, port: stack.pg.port, settings: archiveSettings(backups.walDir, archiveTimeoutS) });
    },
    async restartRedis() {
      stack.redis = await startEmbeddedRedis({ dir: redisDir, port: stack.redis.port });
    },
    async startService() {
      stack.gateway = await spawnGateway(gatewayEnv, stack.gateway.port);
      stack.worker();
    },
    async stopService(how) {
      if (how === 'kill') {
        await Promise.all([stack.gateway.kill9(), ...stack.workers.splice(0).map((w) => w.kill9())]);
      } else {
        await stack.gateway.stop();
        await stack.stopWorkers();
      }
    },
    async flushQueues() {
      const r = new IORedis(stack.redis.url, { maxRetriesPerRequest: 3 });
      try {
        await r.flushall();
      } finally {
        r.disconnect();
      }
    },
    async close() {
      await stack.stopService('stop').catch(() => undefined);
      await receiver.close();
      await db.end().catch(() => undefined);
      await Promise.all([stack.pg.stop(), stack.redis.stop()]);
      if (!process.env.RESTORE_DRILL_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  stack.worker();
  return stack;
}

/** Ready means: /health/ready answers 200 (PostgreSQL and Redis reachable from the gateway). */
export async function waitServiceReady(stack: RestoreStack, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${stack.gateway.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the service did not become ready on the restored database');
    await new Promise((r) => setTimeout(r, 100));
  }
}
