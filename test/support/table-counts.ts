import type { Db } from '../../services/db/pool';

const TABLES = ['documents', 'dispatches', 'blobs', 'document_files', 'outbox', 'ledger', 'number_registers', 'dispatch_events'] as const;

export type Counts = Record<(typeof TABLES)[number], number>;

/** Row counts of every table a submission writes: equal before and after means nothing was left. */
export async function tableCounts(db: Db): Promise<Counts> {
  const r = await db.query(TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t}`).join(' UNION ALL '));
  return Object.fromEntries(r.rows.map((x) => [x.t, x.n])) as Counts;
}
