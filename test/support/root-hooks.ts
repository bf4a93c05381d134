import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import pg from 'pg';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { reportHandlesIfStillRunning } from './open-handles';
import { addFileHooks, type FileScope } from './per-file-hooks';
import { setTestEnv, uniqueTag } from './test-env';
import { trackTimerOrigins } from './timer-origins';

// Before any test file loads: a timer left armed at the end of the run is then named by its maker.
trackTimerOrigins();

/**
 * Once per test run: a private PostgreSQL and Redis in a temporary folder (or TEST_DATABASE_URL's
 * server and TEST_REDIS_URL), and one database migrated once, used as a template. Then each test
 * file that needs the services (every file outside test/unit) gets its own database, created from
 * that template (`CREATE DATABASE … TEMPLATE …`, a file copy: no migration per file), and its own
 * BullMQ queue prefix; the environment the services read points at them while that file runs, and
 * the database is dropped when the file is done. Files no longer see each other's rows or jobs.
 */
let stack: EmbeddedStack | undefined;
let tmpDir: string | undefined;
let adminUrl: string | undefined;
let templateName: string | undefined;
let masterKeyHex = '';
let redisUrl = '';
const runTag = uniqueTag(6).toLowerCase();
const created = new Set<string>();
/** One connection of the run's own, to list Redis's clients around each file. */
let redisAdmin: IORedis | undefined;
/** The Redis clients connected when each file began (by id), so those it adds can be told apart. */
const redisBefore = new Map<number, Set<string>>();

/** Redis's clients other than the run's own connection: id → a short description. */
async function redisClients(): Promise<Map<string, string>> {
  redisAdmin ??= new IORedis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  const self = String(await redisAdmin.client('ID'));
  const list = String(await redisAdmin.client('LIST'));
  const out = new Map<string, string>();
  for (const line of list.split('\n')) {
    const f = Object.fromEntries(line.trim().split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    if (!f.id || f.id === self) continue;
    out.set(f.id, `${f.name ? `${f.name} ` : ''}last ${f.cmd ?? '?'}, ${f.age ?? '?'} s old`);
  }
  return out;
}

function databaseUrlFor(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh database and queue prefix for one test file; the environment points at them. */
async function enterFile(scope: FileScope): Promise<void> {
  const name = `lt_${runTag}_f${scope.index}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateName}`));
  created.add(name);
  const databaseUrl = databaseUrlFor(adminUrl!, name);
  const queuePrefix = `lt-test-${runTag}-f${scope.index}`;
  Object.assign(process.env, { DATABASE_URL: databaseUrl, LIENTHONG_QUEUE_PREFIX: queuePrefix });
  setTestEnv({ databaseUrl, redisUrl, queuePrefix, masterKeyHex });
  redisBefore.set(scope.index, new Set((await redisClients()).keys()));
}

/**
 * Names on stderr the Redis connections a file opened and did not close. One left open keeps the
 * run's process alive: when Redis stops, its client reconnects forever (a Timeout each), and the
 * end-of-run check then fails the run with nothing to say which file it came from.
 */
async function reportRedisLeftOpen(scope: FileScope): Promise<void> {
  const before = redisBefore.get(scope.index) ?? new Set<string>();
  redisBefore.delete(scope.index);
  let added: [string, string][] = [];
  const until = Date.now() + 5_000;
  for (;;) {
    added = [...(await redisClients())].filter(([id]) => !before.has(id));
    if (added.length === 0 || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (added.length > 0) {
    process.stderr.write(`[test] ${scope.file} left ${added.length} Redis connection(s) open: ${added.map(([, d]) => d).join('; ')}\n`);
  }
}

/** Drops the file's database; a connection the file left open is named on stderr (and then cut). */
async function leaveFile(scope: FileScope): Promise<void> {
  const name = `lt_${runTag}_f${scope.index}`;
  await withAdmin(async (c) => {
    // Connections a file's gateways and workers close as they stop may take a moment to go.
    let open: pg.QueryResult<{ application_name: string; n: number }>;
    const until = Date.now() + 5_000;
    do {
      open = await c.query<{ application_name: string; n: number }>(
        `SELECT application_name, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1`,
        [name],
      );
      if (open.rows.length > 0) await new Promise((r) => setTimeout(r, 250));
    } while (open.rows.length > 0 && Date.now() < until);
    if (open.rows.length > 0) {
      process.stderr.write(`[test] ${scope.file} left PostgreSQL connections open: ${open.rows.map((r) => `${r.application_name || '?'} ×${r.n}`).join(', ')}\n`);
    }
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  created.delete(name);
  await reportRedisLeftOpen(scope);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) {
      adminUrl = process.env.TEST_DATABASE_URL;
      redisUrl = process.env.TEST_REDIS_URL;
    } else {
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-test-'));
      fs.chmodSync(tmpDir, 0o755);
      stack = await startEmbeddedStack({ dataDir: tmpDir, fast: true });
      adminUrl = stack.databaseUrl;
      redisUrl = stack.redisUrl;
    }
    templateName = `lt_${runTag}_template`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${templateName}`));
    created.add(templateName);
    const templateUrl = databaseUrlFor(adminUrl, templateName);
    const db = createPool(templateUrl, { max: 1 });
    await migrate(db);
    await db.end();
    masterKeyHex = randomBytes(32).toString('hex');
    const queuePrefix = `lt-test-${runTag}`;
    Object.assign(process.env, {
      // Until the first file's hook runs (and for the unit tier's files): the template itself is
      // never handed out, so nothing can connect to it while a copy is being made.
      DATABASE_URL: databaseUrlFor(adminUrl, `lt_${runTag}_none`),
      REDIS_URL: redisUrl,
      LIENTHONG_DEV_MODE: '1',
      LIENTHONG_MASTER_KEY: masterKeyHex,
      LIENTHONG_QUEUE_PREFIX: queuePrefix,
      LIENTHONG_DATA_DIR: tmpDir ?? os.tmpdir(),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // Suites leave documents behind in the shared queues with no worker running: the admission
      // gate would refuse later suites' documents. Its own test turns it on.
      LIENTHONG_ADMISSION_MAX_DELAY_MS: '0',
    });
    setTestEnv({ databaseUrl: process.env.DATABASE_URL!, redisUrl, queuePrefix, masterKeyHex });
    addFileHooks(this.test!.parent!, {
      needsServices: (file) => !file.split(path.sep).join('/').includes('/test/unit/'),
      enter: enterFile,
      leave: leaveFile,
    });
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (!stack && adminUrl) {
      for (const name of created) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
    redisAdmin?.disconnect();
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    // No `exit: true`: the run ends when nothing is left open. Should something still be open,
    // this names it after 30 s, and fails the run after 3 minutes instead of hanging it.
    reportHandlesIfStillRunning(30_000, 180_000);
  },
};
