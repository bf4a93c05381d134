import pg from 'pg';

/**
 * What PostgreSQL spends its time on, per statement (pg_stat_statements, loaded only in a
 * BENCH_PROFILE run): reset before a phase, read after it. Execution time only (planning is not
 * tracked); with the service's prepared statements that is most of a backend's work.
 */
export interface StatementCost {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  share: number;
}

export async function resetStatements(databaseUrl: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await c.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false; // not preloaded: nothing to report
  } finally {
    await c.end();
  }
}

export async function topStatements(databaseUrl: string, limit = 15): Promise<StatementCost[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ query: string; calls: string; total: number; mean: number; share: number }>(
      `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean,
              total_exec_time / NULLIF(sum(total_exec_time) OVER (), 0) AS share
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT $1`,
      [limit],
    );
    return r.rows.map((row) => ({
      query: row.query.replace(/\s+/g, ' ').slice(0, 160),
      calls: Number(row.calls),
      totalMs: Math.round(row.total),
      meanMs: Math.round(row.mean * 1000) / 1000,
      share: Math.round(row.share * 1000) / 1000,
    }));
  } finally {
    await c.end();
  }
}
