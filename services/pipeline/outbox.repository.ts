import type { JobPayload, Stage } from '../../contracts';
import type pg from 'pg';
import type { Queryable } from '../db/pool';

// The one writer of the `outbox` table (issue 18): every INSERT, UPDATE and DELETE of it is here, except
// the statements that write a document together with the outbox rows announcing it, which stay in
// ONE statement for speed and live in the documents' writer (document.repository.ts, marked there).
// The table's trigger (migration 0001) only NOTIFYs the relays; it writes nothing.

export interface OutboxMessage<S extends Stage = Stage> {
  stage: S;
  payload: JobPayload<S>;
  /** BullMQ priority: 0 none, lower numbers first. Urgent documents jump the queue. */
  priority?: number;
}

/**
 * The outbox rows of `messages` as three parallel arrays (topic, payload as JSON text, priority):
 * the parameters of `INSERT INTO outbox … SELECT * FROM unnest($t::text[], $p::jsonb[], $n::int[])`,
 * here and in statements that write the outbox together with the state it announces.
 */
export function outboxColumns(messages: OutboxMessage[]): [string[], string[], number[]] {
  return [messages.map((m) => m.stage), messages.map((m) => JSON.stringify(m.payload)), messages.map((m) => m.priority ?? 0)];
}

/** Written in the same transaction as the state it announces; the relay publishes it. */
export async function addToOutbox(tx: Queryable, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (topic, payload, priority)
     SELECT * FROM unnest($1::text[], $2::jsonb[], $3::int[])`,
    outboxColumns(messages),
  );
}

/**
 * Outbox rows chosen by a query of the caller's domain, in one statement: `select` yields
 * (topic, payload jsonb, priority) rows, zero or more, with `params` as its parameters. Used where
 * whether a message is owed is a rule over other tables (the status webhooks).
 */
export async function addToOutboxFrom(tx: Queryable, select: string, params: unknown[]): Promise<void> {
  await tx.query(`INSERT INTO outbox (topic, payload, priority) ${select}`, params);
}

/**
 * The relay's claim, BEGIN with it in ONE round trip (issue 25): a simple query of
 * two statements, possible because its only value, the limit, is an integer written here. The
 * claimed rows stay locked until markPublishedAndCommit, or the caller's ROLLBACK.
 */
export async function beginAndClaimUnpublished(client: pg.ClientBase, limit: number): Promise<{ id: number; topic: string; payload: unknown; priority: number }[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`invalid claim limit ${limit}`);
  const results = (await client.query(
    `BEGIN; SELECT id, topic, payload, priority FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
  )) as unknown as pg.QueryResult<{ id: number; topic: string; payload: unknown; priority: number }>[];
  return results[1]!.rows;
}

/** After BullMQ accepted their jobs: the claimed rows are published, and COMMIT, in ONE round trip (the ids are integers written here). */
export async function markPublishedAndCommit(client: pg.ClientBase, ids: number[]): Promise<void> {
  if (ids.length === 0) {
    await client.query('COMMIT');
    return;
  }
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`invalid outbox id ${id}`);
  await client.query(`UPDATE outbox SET published_at = now() WHERE id = ANY('{${ids.join(',')}}'::bigint[]); COMMIT`);
}

/** One window of prunePublished: its newest id, how many rows it had, how many went, whether its newest row is younger than the cutoff. */
interface PruneWindow {
  last: string | null;
  seen: number;
  deleted: number;
  young: boolean | null;
}

/** Rows looked at per statement of prunePublished, and statements per call at most. */
const PRUNE_WINDOW = 5000;
const PRUNE_WINDOWS_PER_CALL = 20;

/**
 * Removes rows published more than `retentionMs` ago, the oldest first, and returns how many. The
 * relay and the admission look only at unpublished rows (a partial index); published ones are kept a
 * while for an operator who wants to see what was announced, then go, or the table would grow by a
 * row per document and per non-hosted copy for ever.
 *
 * Walks the table in windows of PRUNE_WINDOW rows in id order (the primary key), deleting the
 * window's rows published before the cutoff, and stops at the first window whose newest row was
 * created after the cutoff (the rows after it are younger still), at the end of the table, or after
 * PRUNE_WINDOWS_PER_CALL windows (the next call goes on). An unpublished row, however old, is never
 * deleted and does not stop the walk.
 */
export async function prunePublished(db: Queryable, retentionMs: number): Promise<number> {
  let after: string | null = null;
  let deleted = 0;
  for (let i = 0; i < PRUNE_WINDOWS_PER_CALL; i++) {
    const r: { rows: PruneWindow[] } = await db.query<PruneWindow>(
      `WITH win AS MATERIALIZED (SELECT id, created_at, published_at FROM outbox WHERE $1::bigint IS NULL OR id > $1 ORDER BY id LIMIT $2),
            cutoff AS (SELECT now() - make_interval(secs => $3::float8 / 1000) AS at),
            gone AS (DELETE FROM outbox o USING win w, cutoff c WHERE o.id = w.id AND w.published_at < c.at RETURNING o.id)
       SELECT (SELECT max(id) FROM win)::text AS last, (SELECT count(*) FROM win)::int AS seen, (SELECT count(*) FROM gone)::int AS deleted,
              (SELECT w.created_at >= c.at FROM win w, cutoff c ORDER BY w.id DESC LIMIT 1) AS young`,
      [after, PRUNE_WINDOW, retentionMs],
    );
    const row: PruneWindow = r.rows[0]!;
    deleted += row.deleted;
    if (row.last === null || row.seen < PRUNE_WINDOW || row.young) break;
    after = row.last;
  }
  return deleted;
}
