import pg from 'pg';
import { round } from './stats';

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

/** One statement's share of a stretch of time: the difference of two statementTotals. */
export interface StatementDelta {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

/** Cumulative pg_stat_statements counters by statement, to take one minute's difference. */
export async function statementTotals(databaseUrl: string): Promise<Map<string, { query: string; calls: number; totalMs: number }>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ id: string; query: string; calls: string; total: number }>(
      `SELECT queryid::text AS id, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls, total_exec_time + total_plan_time AS total
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return new Map(r.rows.map((x) => [x.id, { query: x.query, calls: Number(x.calls), totalMs: x.total }]));
  } finally {
    await c.end();
  }
}

/** The `limit` statements that took most time between two totals, costliest first. */
export function statementDelta(before: Awaited<ReturnType<typeof statementTotals>>, after: Awaited<ReturnType<typeof statementTotals>>, limit: number): StatementDelta[] {
  return [...after.entries()]
    .map(([id, a]) => {
      const b = before.get(id);
      const calls = a.calls - (b?.calls ?? 0);
      const totalMs = a.totalMs - (b?.totalMs ?? 0);
      return { query: a.query, calls, totalMs: round(totalMs, 1)!, meanMs: round(calls > 0 ? totalMs / calls : 0, 3)! };
    })
    .filter((x) => x.calls > 0)
    .sort((x, y) => y.totalMs - x.totalMs)
    .slice(0, limit);
}
