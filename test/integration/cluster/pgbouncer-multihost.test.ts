import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startDaemon, waitUntil, type Daemon } from '../../../infra/cluster/daemon';
import { resolveRunAs } from '../../../infra/embedded/embedded-postgres';
import { findOnPath } from '../../../infra/embedded/common';
import { freePort } from '../../../infra/embedded/free-port';
import { createPool } from '../../../services/db/pool';
import { testEnv } from '../../support/test-env';

interface Bouncer { port: number; daemon: Daemon }

/**
 * A PgBouncer in transaction mode in front of the test PostgreSQL, with one server connection (so
 * two clients' transactions share it, as they do under load), optionally read-only.
 */
async function startBouncer(dir: string, readOnly: boolean): Promise<Bouncer> {
  const u = new URL(testEnv().databaseUrl);
  const db = u.pathname.slice(1);
  const user = decodeURIComponent(u.username);
  const port = await freePort();
  const runAs = await resolveRunAs(() => undefined);
  fs.mkdirSync(dir, { recursive: true });
  const server = `host=127.0.0.1 port=${u.port} dbname=${db} user=${user}${u.password ? ` password=${decodeURIComponent(u.password)}` : ''}`;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `${db} = ${server}${readOnly ? " connect_query='SET default_transaction_read_only = on'" : ''}`,
    '[pgbouncer]', 'listen_addr = 127.0.0.1', `listen_port = ${port}`, 'unix_socket_dir =', 'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`, 'pool_mode = transaction', 'default_pool_size = 1', 'max_client_conn = 50',
    'server_reset_query =', 'ignore_startup_parameters = extra_float_digits,options', `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
  ].join('\n') + '\n');
  for (const f of fs.readdirSync(dir)) if (runAs) fs.chownSync(path.join(dir, f), runAs.uid, runAs.gid);
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  const binary = findOnPath('pgbouncer');
  if (!binary) throw new Error('pgbouncer is not installed: make test installs it (infra/scripts/ensure-system-deps.sh --with-pgbouncer)');
  const daemon = startDaemon(`pgbouncer:${port}`, binary, [path.join(dir, 'pgbouncer.ini')], path.join(dir, 'pgbouncer.log'), { cwd: dir, uid: runAs?.uid, gid: runAs?.gid });
  await waitUntil(`pgbouncer on ${port}`, async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user, database: db });
    await c.connect();
    await c.end();
    return true;
  }, 30_000, daemon);
  return { port, daemon };
}

describe('PostgreSQL past one machine: PgBouncer in transaction mode, multi-host URLs', function () {
  this.timeout(120_000);
  let dir: string;
  let rw: Bouncer;
  let ro: Bouncer;
  let url: (ports: number[], attrs?: string) => string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-pgbouncer-'));
    fs.chmodSync(dir, 0o755);
    rw = await startBouncer(path.join(dir, 'rw'), false);
    ro = await startBouncer(path.join(dir, 'ro'), true);
    const u = new URL(testEnv().databaseUrl);
    url = (ports, attrs) => `postgres://${u.username}@${ports.map((p) => `127.0.0.1:${p}`).join(',')}${u.pathname}${attrs ? `?target_session_attrs=${attrs}` : ''}`;
  });
  after(async () => {
    await rw?.daemon.stop(5_000, 'SIGINT');
    await ro?.daemon.stop(5_000, 'SIGINT');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Two pool clients, each in a transaction, interleaved on PgBouncer's one server connection. */
  async function interleave(prepared: boolean): Promise<unknown[]> {
    const pool = createPool(url([rw.port]), { max: 2, prepared });
    const [a, b] = [await pool.connect(), await pool.connect()];
    const q = 'SELECT $1::int + 1 AS n';
    try {
      const out: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        for (const c of [a, b]) {
          await c.query('BEGIN');
          out.push(await c.query(q, [i]).then((r) => r.rows[0].n, (e: Error) => e));
          await c.query('COMMIT').catch(() => c.query('ROLLBACK'));
        }
      }
      return out;
    } finally {
      a.release();
      b.release();
      await pool.end();
    }
  }

  it('when named statements are on, then two clients sharing a server connection collide (why the switch exists)', async () => {
    const out = await interleave(true);
    expect(out.some((r) => r instanceof Error && /prepared statement/.test(r.message))).to.equal(true);
  });

  it('when LIENTHONG_DB_PREPARED_STATEMENTS=0, then every statement runs through transaction pooling', async () => {
    expect(await interleave(false)).to.deep.equal([1, 1, 2, 2, 3, 3]);
  });

  it('when the URL lists a dead server and a read-only one first, then target_session_attrs=read-write lands every connection on the writable one', async () => {
    const dead = await freePort();
    const pool = createPool(url([dead, ro.port, rw.port], 'read-write'), { max: 3, prepared: false });
    try {
      let writable = 0;
      // Each connection may fail once while the locator moves past the dead and the read-only server.
      for (let i = 0; i < 12; i++) {
        const r = await pool.query(`SELECT current_setting('transaction_read_only') AS ro`).catch(() => undefined);
        if (r?.rows[0].ro === 'off') writable++;
        if (r) expect(r.rows[0].ro).to.equal('off');
      }
      expect(writable).to.be.greaterThan(8);
    } finally {
      await pool.end();
    }
  });

  it('when the URL does not ask for read-write, then the first server that answers is used, read-only or not', async () => {
    const pool = createPool(url([ro.port, rw.port]), { max: 1, prepared: false });
    try {
      // One host at a time from a multi-host URL: the first that accepts a connection is kept.
      const r = await pool.query(`SELECT current_setting('transaction_read_only') AS ro`);
      expect(r.rows[0].ro).to.equal('on');
    } finally {
      await pool.end();
    }
  });
});
