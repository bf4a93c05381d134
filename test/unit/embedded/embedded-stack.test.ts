import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { isProcessAlive, waitForExit } from '../../../infra/embedded/common';
import { startEmbeddedPostgres } from '../../../infra/embedded/embedded-postgres';
import { startEmbeddedRedis } from '../../../infra/embedded/embedded-redis';
import { EmbeddedStack, startEmbeddedStack } from '../../../infra/embedded/embedded-stack';
import { freePort } from '../../../infra/embedded/free-port';
import { availableMemory, memorySettings } from '../../../infra/embedded/postgres-memory';
import { AUTOVACUUM_COST_DELAY } from '../../../infra/embedded/postgres-background';
import { RANDOM_PAGE_COST } from '../../../infra/embedded/postgres-planner';

async function withPg<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function withRedis<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** A temp dir the unprivileged PostgreSQL user can traverse (mkdtemp makes 0700). */
function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-embedded-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

describe('embedded PostgreSQL + Redis stack', function () {
  this.timeout(120_000);
  let dir: string;
  let stacks: EmbeddedStack[] = [];
  const start = async (dataDir = dir, fast = false) => {
    const stack = await startEmbeddedStack({ dataDir, fast });
    stacks.push(stack);
    return stack;
  };

  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    for (const s of stacks) await s.stop();
    stacks = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the stack starts in an empty dir, then both servers answer with the settings we rely on', async () => {
    const stack = await start();
    // TCP on 127.0.0.1 for tools, and the unix socket in the data folder for our clients (cheaper per query).
    expect(stack.databaseUrl).to.match(/^postgres:\/\/lienthong@127\.0\.0\.1:\d+\/lienthong\?host=[^&]+%2Frun$/);
    expect(stack.redisUrl).to.match(new RegExp(`^redis://127\\.0\\.0\\.1:${stack.redis.port}/\\?path=[^&]+redis\\.sock$`));
    await withPg(stack.databaseUrl, async (c) => {
      expect((await c.query('SELECT 1 AS one')).rows[0].one).to.equal(1);
      expect((await c.query('SHOW fsync')).rows[0].fsync).to.equal('on'); // product data: durable
      expect((await c.query('SHOW server_encoding')).rows[0].server_encoding).to.equal('UTF8');
      expect((await c.query("SELECT current_setting('listen_addresses') AS a")).rows[0].a).to.equal('127.0.0.1');
      expect((await c.query('SELECT inet_server_addr() AS a')).rows[0].a, 'connected through the unix socket').to.equal(null);
      // Sized to the machine (postgres-memory.ts), not PostgreSQL's fixed 128 MB.
      const expected = memorySettings(availableMemory());
      const mb = Number(/^'(\d+)MB'$/.exec(expected['shared_buffers']!)![1]);
      const blocks = (await c.query("SELECT setting::int AS n FROM pg_settings WHERE name = 'shared_buffers'")).rows[0].n;
      expect(blocks * 8 / 1024, 'shared_buffers in MB').to.equal(mb);
      // Autovacuum paced (postgres-background.ts), not PostgreSQL's 2 ms.
      expect((await c.query('SHOW autovacuum_vacuum_cost_delay')).rows[0].autovacuum_vacuum_cost_delay).to.equal(AUTOVACUUM_COST_DELAY);
      // Random reads priced for an SSD and a page cache (postgres-planner.ts), not PostgreSQL's 4.
      expect((await c.query('SHOW random_page_cost')).rows[0].random_page_cost).to.equal(RANDOM_PAGE_COST);
      // jemalloc preloaded (postgres-allocator.ts; make test installs it), in the backends the postmaster forks.
      const backend = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      expect(fs.readFileSync(`/proc/${stack.postgres.pid}/maps`, 'utf8'), 'the postmaster').to.contain('libjemalloc.so.2');
      expect(fs.readFileSync(`/proc/${backend}/maps`, 'utf8'), 'a backend').to.contain('libjemalloc.so.2');
    });
    expect(await withRedis(stack.redisUrl, (r) => r.client('INFO') as Promise<string>), 'connected through the unix socket').to.match(/ laddr=\/[^ ]*redis\.sock/);
    await withRedis(stack.redisUrl, async (r) => {
      expect(await r.set('k', 'v')).to.equal('OK');
      expect(await r.get('k')).to.equal('v');
      expect(await r.config('GET', 'maxmemory-policy')).to.deep.equal(['maxmemory-policy', 'noeviction']);
      expect(await r.config('GET', 'appendonly')).to.deep.equal(['appendonly', 'yes']);
      expect(await r.config('GET', 'bind')).to.deep.equal(['bind', '127.0.0.1']);
    });
  });

  it('when the stack is stopped and started again from the same dir, then the row, the key and the ports survive', async () => {
    const first = await start();
    await withPg(first.databaseUrl, async (c) => {
      await c.query('CREATE TABLE docs (id int PRIMARY KEY, title text)');
      await c.query("INSERT INTO docs VALUES (1, 'Công văn số 1')");
    });
    await withRedis(first.redisUrl, (r) => r.set('doc:1', 'queued'));
    await first.stop();

    const second = await start();
    expect(second.postgres.port).to.equal(first.postgres.port);
    expect(second.redis.port).to.equal(first.redis.port);
    const rows = await withPg(second.databaseUrl, async (c) => (await c.query('SELECT title FROM docs')).rows);
    expect(rows).to.deep.equal([{ title: 'Công văn số 1' }]);
    expect(await withRedis(second.redisUrl, (r) => r.get('doc:1'))).to.equal('queued');
  });

  it('when stop is called twice, then both calls resolve and the server processes are gone', async () => {
    const stack = await start();
    const pids = [stack.postgres.pid, stack.redis.pid];
    expect(pids.every(isProcessAlive)).to.equal(true);
    await stack.stop();
    await stack.stop();
    await stack.postgres.stop();
    await stack.redis.stop();
    expect(pids.map(isProcessAlive)).to.deep.equal([false, false]);
  });

  it('when a second stack starts on a running dir, then it fails saying so and the first keeps working', async () => {
    const first = await start();
    let error: Error | undefined;
    await start().catch((e: Error) => (error = e));
    expect(error?.message).to.match(/already running/);
    await withPg(first.databaseUrl, (c) => c.query('SELECT 1'));
    expect(await withRedis(first.redisUrl, (r) => r.ping())).to.equal('PONG');
  });

  it('when both servers are killed with SIGKILL, then a new start from the same dir recovers the data', async () => {
    const first = await start();
    await withPg(first.databaseUrl, async (c) => {
      await c.query('CREATE TABLE t (v text)');
      await c.query("INSERT INTO t VALUES ('committed')");
    });
    await withRedis(first.redisUrl, (r) => r.set('job', 'pending'));
    first.postgres.kill('SIGKILL');
    first.redis.kill('SIGKILL');
    expect(await waitForExit(first.redis.pid, 5000)).to.equal(true);
    expect(await waitForExit(first.postgres.pid, 5000)).to.equal(true);

    const second = await start();
    const rows = await withPg(second.databaseUrl, async (c) => (await c.query('SELECT v FROM t')).rows);
    expect(rows).to.deep.equal([{ v: 'committed' }]);
    expect(await withRedis(second.redisUrl, (r) => r.get('job'))).to.equal('pending');
  });

  it('when postmaster.pid and redis.pid name live unrelated processes, then start treats them as stale', async () => {
    const first = await start();
    await first.stop();
    // After a crash the recorded pids may have been reused: here by another
    // PostgreSQL server (for another dir) and by this test runner.
    const other = await startEmbeddedPostgres({ dir: path.join(dir, 'other'), fast: true });
    try {
      const pgData = path.join(dir, 'postgres', 'data');
      fs.writeFileSync(path.join(pgData, 'postmaster.pid'), `${other.pid}\n${pgData}\n0\n${first.postgres.port}\n`);
      fs.writeFileSync(path.join(dir, 'redis', 'redis.pid'), `${process.pid}\n`);
      const second = await start();
      expect(await withPg(second.databaseUrl, async (c) => (await c.query('SELECT 2 AS n')).rows[0].n)).to.equal(2);
      expect(await withRedis(second.redisUrl, (r) => r.ping())).to.equal('PONG');
      expect(second.postgres.pid).to.not.equal(other.pid);
      expect(isProcessAlive(other.pid)).to.equal(true);
    } finally {
      await other.stop();
    }
  });

  it('when the stack is started with fast, then PostgreSQL runs without fsync', async () => {
    const stack = await start(dir, true);
    const settings = await withPg(stack.databaseUrl, async (c) =>
      (await c.query("SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes') ORDER BY name")).rows);
    expect(settings).to.deep.equal([
      { name: 'fsync', setting: 'off' },
      { name: 'full_page_writes', setting: 'off' },
      { name: 'synchronous_commit', setting: 'off' },
    ]);
  });
});

describe('embedded servers on their own', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when freePort resolves, then that port can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).to.be.within(1, 65535);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('when Redis is given a port and persistent false, then it listens there without an AOF', async () => {
    const port = await freePort();
    const redis = await startEmbeddedRedis({ dir: path.join(dir, 'r'), port, persistent: false });
    try {
      expect(redis.url.startsWith(`redis://127.0.0.1:${port}/?path=`)).to.equal(true);
      expect(await withRedis(redis.url, (r) => r.config('GET', 'appendonly'))).to.deep.equal(['appendonly', 'no']);
    } finally {
      await redis.stop();
    }
    expect(isProcessAlive(redis.pid)).to.equal(false);
  });

  it('when PostgreSQL is given a database name, then it creates that database', async () => {
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), database: 'other_db', fast: true });
    try {
      expect(pg.url).to.match(/\/other_db(\?host=.*)?$/);
      expect(await withPg(pg.url, async (c) => (await c.query('SELECT current_database() AS d')).rows[0].d)).to.equal('other_db');
    } finally {
      await pg.stop();
    }
  });

  it('when running as root and the data folder is a 0700 folder the server user cannot traverse, then PostgreSQL runs from a private home it owns, the folder keeps its mode, and a restart finds the same cluster', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o700 });
    fs.chmodSync(locked, 0o700);
    const pgDir = path.join(locked, 'pg');
    let pg = await startEmbeddedPostgres({ dir: pgDir, fast: true });
    const home = fs.readFileSync(path.join(pgDir, 'cluster-home'), 'utf8').trim();
    try {
      expect(fs.statSync(locked).mode & 0o777).to.equal(0o700);
      expect(fs.statSync(home).mode & 0o777).to.equal(0o700);
      expect(fs.statSync(home).uid).to.not.equal(0);
      expect(fs.existsSync(path.join(home, 'data', 'PG_VERSION'))).to.equal(true);
      const c1 = new Client({ connectionString: pg.url });
      await c1.connect();
      await c1.query('CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
      await c1.end();
      await pg.stop();
      pg = await startEmbeddedPostgres({ dir: pgDir, fast: true });
      const c2 = new Client({ connectionString: pg.url });
      await c2.connect();
      expect((await c2.query('SELECT x FROM kept')).rows).to.deep.equal([{ x: 42 }]);
      await c2.end();
    } finally {
      await pg.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
