import pg from 'pg';
import type { Queryable } from '../db/pool';

/**
 * Runs one of the figures' big read queries (a year of a province's ledger) with JIT off for it
 * alone: PostgreSQL compiles plans this costly on every execution, which took longer than the
 * query itself (issue 25, measured with years of history). On a pool the setting is
 * `SET LOCAL` inside a transaction of its own; a caller's client keeps its own settings.
 */
export async function figureQuery<T extends pg.QueryResultRow>(db: Queryable, sql: string, params: unknown[]): Promise<pg.QueryResult<T>> {
  if (!(db instanceof pg.Pool)) return db.query<T>(sql, params);
  const client = await db.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query('SET LOCAL jit = off');
    // Their aggregations keep a year's rows in memory instead of spilling them to temporary files.
    await client.query("SET LOCAL work_mem = '64MB'");
    const r = await client.query<T>(sql, params);
    await client.query('COMMIT');
    return r;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
