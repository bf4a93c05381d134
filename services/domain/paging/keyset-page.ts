import { plannedEachTime, type Queryable } from '../../db/pool';
import { checkKeyParts, decodeCursor, encodeCursor, type DecodedCursor } from './cursor';

/** One page of a list, with the honest total of the whole list (never capped). */
export interface Page<T> {
  items: T[];
  /** Rows of the whole list with the same filters. */
  total: number;
  /** Opaque cursors of the pages after (older) and before (newer) this one; null at either end. */
  nextCursor: string | null;
  prevCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
  /** The last page of the list (the oldest rows). */
  last?: boolean | undefined;
}

export interface KeysetQuery {
  /**
   * The list's SELECT without ORDER BY/LIMIT. It must select the key parts as text columns
   * "_k0", "_k1", … (exact text: `x.delivered_at::text`), and contain `{{keyset}}` in its WHERE
   * clause, where the boundary condition goes.
   */
  select: string;
  /** SQL of the key parts (in order) and their types, e.g. `x.delivered_at`, `timestamptz`. */
  key: { expr: string; type: string }[];
  params: unknown[];
  /**
   * `SELECT count(*)::int AS n …` with the same filters and params (no keyset); or `inline` when
   * the list must be computed whole anyway (sorted by a computed rank): the total is then a window
   * over that same computation, one query instead of two; or `{ known }` when the caller has
   * counted already (a broad search's lower bound: broad-search.ts).
   */
  count: string | 'inline' | { known: number };
  /**
   * Planned for its values at every call instead of prepared once per connection (pool.ts,
   * plannedEachTime): for lists whose best plan depends on the values (a word search).
   */
  planEachTime?: boolean | undefined;
  /**
   * Columns whose values, the same in every row of a page, the cursors carry to the next pages
   * (DecodedCursor.carry; a ranked search's window bound). Not part of the items.
   */
  carry?: string[] | undefined;
}

/**
 * Keyset paging over a list sorted by its key, descending (newest first): the next page is the
 * rows below the last shown key, the previous page the rows above the first, the last page the
 * lowest rows. Each page costs one index range scan however deep it is.
 */
export async function keysetPage<T>(db: Queryable, q: KeysetQuery, req: PageRequest): Promise<Page<T>> {
  const cursor: DecodedCursor | null = req.cursor ? decodeCursor(req.cursor, q.key.length) : null;
  if (cursor) checkKeyParts(cursor.key, q.key.map((k) => k.type));
  const params = [...q.params];
  const run = <R extends Record<string, unknown>>(text: string, values: unknown[]) =>
    q.planEachTime ? db.query<R>(plannedEachTime(text, values)) : db.query<R>(text, values);
  let keyset = 'TRUE';
  const reverse = req.last === true || cursor?.dir === 'b';
  if (cursor) {
    const placeholders = cursor.key.map((v, i) => {
      params.push(v);
      return `$${params.length}::${q.key[i]!.type}`;
    });
    keyset = `(${q.key.map((k) => k.expr).join(', ')}) ${cursor.dir === 'a' ? '<' : '>'} (${placeholders.join(', ')})`;
  }
  const order = q.key.map((k) => `${k.expr} ${reverse ? 'ASC' : 'DESC'}`).join(', ');
  params.push(req.limit + 1);
  let rows: { rows: Record<string, unknown>[] };
  let total: number;
  if (q.count === 'inline') {
    // The window counts every row of the list before the boundary filter applies.
    const inner = q.select.replace('{{keyset}}', 'TRUE').replace(/^SELECT /, 'SELECT count(*) OVER () AS "_total", ');
    const outerKeyset = cursor ? keyset.replace(/\b[a-z]+\.("?[A-Za-z]+"?)/g, 'w.$1') : 'TRUE';
    const outerOrder = order.replace(/\b[a-z]+\.("?[A-Za-z]+"?)/g, 'w.$1');
    rows = await run(`SELECT * FROM (${inner}) w WHERE ${outerKeyset} ORDER BY ${outerOrder} LIMIT $${params.length}`, params);
    total = Number(rows.rows[0]?._total ?? 0);
    if (rows.rows.length === 0 && cursor) {
      const c = await run<{ n: number }>(`SELECT count(*)::int AS n FROM (${q.select.replace('{{keyset}}', 'TRUE')}) w`, q.params);
      total = c.rows[0]?.n ?? 0;
    }
  } else if (typeof q.count === 'object') {
    // Here `{{keyset}}`, `{{order}}` and `{{limit}}` may each appear several times: a list made of
    // branches pages each branch along its own index (a plan PostgreSQL does not find by itself
    // when a branch carries a costly filter), then the page is cut from their union.
    const filled = q.select.replaceAll('{{keyset}}', keyset).replaceAll('{{order}}', order).replaceAll('{{limit}}', `$${params.length}`);
    rows = await run(`${filled} ORDER BY ${order} LIMIT $${params.length}`, params);
    total = q.count.known;
  } else {
    const sql = `${q.select.replace('{{keyset}}', keyset)} ORDER BY ${order} LIMIT $${params.length}`;
    const [r, count] = await Promise.all([run(sql, params), run<{ n: number }>(q.count, q.params)]);
    rows = r;
    total = count.rows[0]?.n ?? 0;
  }
  const more = rows.rows.length > req.limit;
  let page = rows.rows.slice(0, req.limit);
  if (reverse) page = page.reverse();
  const keyOf = (row: Record<string, unknown>): string[] => q.key.map((_k, i) => String(row[`_k${i}`]));
  const first = page[0];
  const lastRow = page[page.length - 1];
  // Going forward (or from the start), rows above exist only when we came from a cursor; going
  // backwards, rows below exist whenever we came from a cursor.
  const hasNewer = reverse ? more : cursor !== null;
  const hasOlder = reverse ? cursor !== null && !req.last : more;
  const carried = new Set(q.carry ?? []);
  const items = page.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (!/^_k\d+$/.test(k) && k !== '_total' && !carried.has(k)) out[k] = v;
    return out as T;
  });
  const carryOf = (row: Record<string, unknown>): string[] | undefined => {
    const values = (q.carry ?? []).map((c) => row[c]);
    return values.length && values.every((v) => v !== null && v !== undefined) ? values.map(String) : undefined;
  };
  return {
    items,
    total,
    nextCursor: hasOlder && lastRow ? encodeCursor('a', keyOf(lastRow), carryOf(lastRow)) : null,
    prevCursor: hasNewer && first ? encodeCursor('b', keyOf(first), carryOf(first)) : null,
  };
}
