import pg from 'pg';
import { logger } from '../logging/logger';

const log = logger('db');

// Dates stay strings (YYYY-MM-DD): a date has no time zone, and JS Date would invent one.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// bigint counts fit in a JS number for our volumes; keep them numbers rather than strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

export function createPool(url: string, opts: { max?: number; application?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.application ?? 'lienthong',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server (PostgreSQL restart) emits here; without a listener the
  // process would crash. The pool replaces the client on the next checkout.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL client error'));
  // A client checked out when PostgreSQL goes away (a restart) emits 'error' too; unheard, that
  // event would kill the process. The query in flight still fails and its caller retries.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost')));
  return pool;
}

/** Runs `fn` in one transaction; rolls back on any throw. */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
