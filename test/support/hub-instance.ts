import pg from 'pg';
import { loadConfig } from '../../services/config/config';
import { peerCommand } from '../../services/cli/commands/peer.command';
import { createPool, type Db } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { freePort } from '../../infra/embedded/free-port';
import { createAgencies, type TestAgency } from './agencies.fixture';
import { spawnGateway, type GatewayProcess } from './gateway-process';
import { testEnv, uniqueTag } from './test-env';
import { spawnWorker, type WorkerProcess } from './worker.fixture';

/**
 * One more Liên Thông instance beside the suite's: its own database (created on the test
 * PostgreSQL server, migrated), its own Redis queue prefix, its own hub id, directory and agencies,
 * and its own gateway and worker processes (real ones, started and stopped at will on a fixed port).
 */
export interface HubInstance {
  hubId: string;
  db: Db;
  databaseUrl: string;
  port: number;
  baseUrl: string;
  agencies: TestAgency[];
  gateway?: GatewayProcess | undefined;
  worker?: WorkerProcess | undefined;
  env: Record<string, string>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `lienthong peer …` run against this instance's database (the CLI's handler and strict parser). */
  peer(args: string[]): Promise<unknown>;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const u = new URL(testEnv().databaseUrl);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createHub(opts: { hubId: string; agencies: number; env?: Record<string, string> }): Promise<HubInstance> {
  const name = `lt_hub_${uniqueTag(8).toLowerCase()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(testEnv().databaseUrl);
  u.pathname = `/${name}`;
  const databaseUrl = u.toString();
  const db = createPool(databaseUrl, { max: 4 });
  await migrate(db);
  const agencies = await createAgencies(db, opts.agencies);
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    LIENTHONG_QUEUE_PREFIX: `lt-hub-${uniqueTag(6).toLowerCase()}`,
    LIENTHONG_HUB_ID: opts.hubId,
    ...opts.env,
  };
  const hub: HubInstance = {
    hubId: opts.hubId,
    db,
    databaseUrl,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    agencies,
    env,
    async start() {
      hub.gateway = await spawnGateway(env, port);
      hub.worker = spawnWorker(env);
    },
    async stop() {
      await Promise.all([hub.gateway?.stop(), hub.worker?.stop()]);
      hub.gateway = undefined;
      hub.worker = undefined;
    },
    async peer(args) {
      let printed: unknown;
      await peerCommand(args, { db, config: loadConfig({ ...process.env, ...env }), json: true, out: (v) => (printed = v) });
      return printed;
    },
    async drop() {
      await hub.stop();
      await db.end();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
  return hub;
}
