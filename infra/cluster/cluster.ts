import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { startGateway, startWorker, type AppProcess } from './app-processes';
import { startNginx, type NginxFront } from './nginx-front';
import { startPostgresHa, type PostgresHa } from './postgres-ha';
import { MASTER_NAME, startSentinelGroup, type SentinelGroup } from './redis-sentinel-group';

/**
 * The production topology on one machine, without containers: nginx → 2 gateways; 3 workers (the
 * third runs only the heavy stages, `--only convert,sign`); Redis master + replica + 3 Sentinels;
 * PostgreSQL primary + synchronous replica (Patroni, etcd) behind one PgBouncer per node.
 * Everything lives under `root` on free loopback ports.
 */
export interface Cluster {
  root: string;
  url: string;
  env: NodeJS.ProcessEnv;
  redis: SentinelGroup;
  postgres: PostgresHa;
  nginx: NginxFront;
  gateways: AppProcess[];
  workers: AppProcess[];
  restart(p: AppProcess): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  root: string;
  /** Extra environment for gateways and workers (drill knobs). */
  env?: Record<string, string>;
  gateways?: number;
  /** Worker arguments, one entry per process. */
  workers?: string[][];
  log?: (m: string) => void;
}

export const DEFAULT_WORKERS = [[], [], ['--only', 'convert,sign']];

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const root = path.resolve(opts.root);
  fs.mkdirSync(path.join(root, 'logs'), { recursive: true });
  fs.chmodSync(root, 0o755);
  const started: { stop(): Promise<void> }[] = [];
  const undo = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    log('Redis: master + replica + 3 Sentinels …');
    const redis = await startSentinelGroup(path.join(root, 'redis'));
    started.push(redis);
    log('PostgreSQL: etcd, Patroni primary + synchronous replica, PgBouncer per node …');
    const postgres = await startPostgresHa(path.join(root, 'postgres'));
    started.push(postgres);
    const keyFile = path.join(root, 'master.key');
    if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: postgres.pooledUrl,
      LIENTHONG_DATABASE_SESSION_URL: postgres.sessionUrl,
      LIENTHONG_DB_PREPARED_STATEMENTS: '0',
      LIENTHONG_REDIS_SENTINELS: redis.sentinelList,
      LIENTHONG_REDIS_MASTER_NAME: MASTER_NAME,
      LIENTHONG_DEV_MODE: '1',
      LIENTHONG_MASTER_KEY: fs.readFileSync(keyFile, 'utf8').trim(),
      LIENTHONG_DATA_DIR: path.join(root, 'data'),
      LIENTHONG_QUEUE_PREFIX: process.env.LIENTHONG_QUEUE_PREFIX ?? 'lienthong',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...opts.env,
    };
    delete env.REDIS_URL;
    const db = createPool(postgres.sessionUrl, { max: 1, application: 'lienthong-cluster' });
    await migrate(db);
    await db.end();
    const logs = path.join(root, 'logs');
    const gateways: AppProcess[] = [];
    const workers: AppProcess[] = [];
    const stopApps = {
      async stop() {
        await Promise.all([...gateways, ...workers].map((p) => p.daemon.stop(30_000)));
      },
    };
    started.push(stopApps);
    log('gateways and workers …');
    for (let i = 1; i <= (opts.gateways ?? 2); i++) gateways.push(await startGateway(logs, `gateway-${i}`, env));
    (opts.workers ?? DEFAULT_WORKERS).forEach((args, i) => workers.push(startWorker(logs, `worker-${i + 1}`, env, args)));
    log('nginx …');
    const nginx = await startNginx(path.join(root, 'nginx'), gateways.map((g) => g.port!));
    started.push(nginx);
    return {
      root,
      url: nginx.url,
      env,
      redis,
      postgres,
      nginx,
      gateways,
      workers,
      async restart(p) {
        const fresh = p.kind === 'gateway' ? await startGateway(logs, p.name, env, p.port) : startWorker(logs, p.name, env, p.args);
        p.daemon = fresh.daemon;
      },
      stop: undo,
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
