import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { createPool } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { setTestEnv, uniqueTag } from './test-env';

/**
 * Once per test run: a private PostgreSQL and Redis in a temporary folder (or a fresh database on
 * TEST_DATABASE_URL's server and a fresh queue prefix on TEST_REDIS_URL), migrated, and the
 * environment the services read. Every suite shares them and isolates itself by agency codes.
 */
let stack: EmbeddedStack | undefined;
let tmpDir: string | undefined;
let externalDb: { adminUrl: string; name: string } | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    let databaseUrl: string;
    let redisUrl: string;
    if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) {
      const name = `lienthong_test_${uniqueTag(8).toLowerCase()}`;
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      externalDb = { adminUrl: process.env.TEST_DATABASE_URL, name };
      const u = new URL(process.env.TEST_DATABASE_URL);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      redisUrl = process.env.TEST_REDIS_URL;
    } else {
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-test-'));
      fs.chmodSync(tmpDir, 0o755);
      stack = await startEmbeddedStack({ dataDir: tmpDir, fast: true });
      databaseUrl = stack.databaseUrl;
      redisUrl = stack.redisUrl;
    }
    const masterKeyHex = randomBytes(32).toString('hex');
    const queuePrefix = `lt-test-${uniqueTag(6).toLowerCase()}`;
    Object.assign(process.env, {
      DATABASE_URL: databaseUrl,
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
    const db = createPool(databaseUrl, { max: 1 });
    await migrate(db);
    await db.end();
    setTestEnv({ databaseUrl, redisUrl, queuePrefix, masterKeyHex });
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    if (externalDb) {
      const admin = new pg.Client({ connectionString: externalDb.adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${externalDb.name} WITH (FORCE)`);
      await admin.end();
    }
  },
};
