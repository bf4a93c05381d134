import type { SearchItem, SearchQuery } from '../../../contracts';
import { plannedEachTime, type Queryable } from '../../db/pool';
import { checkKeyParts, decodeCursor, DEFAULT_PAGE_SIZE, malformed } from '../paging/cursor';
import { keysetPage, type Page } from '../paging/keyset-page';
import { broadSearchPage, type SearchKeys } from './broad-search';
import { incomingBranch, outgoingBranch } from './list-branches';
import { rankedSelect, searchCountLimit, searchRankWindow, type SearchReader } from './ranked-search';
import { SqlParams, textMatch } from './search-filters';
import { wordFrequencies } from './word-frequencies';

export type { SearchReader } from './ranked-search';

/** Who handles a received copy: the department the leader assigned it to (event 04's note). */
const HANDLER_SQL = `(SELECT regexp_replace(e.note, '^Giao ', '') FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '04' ORDER BY e.id DESC LIMIT 1)`;

/** Options of one search; tests set them, the product reads LIENTHONG_SEARCH_RANK_WINDOW and LIENTHONG_SEARCH_COUNT_LIMIT. */
export interface SearchOptions {
  rankWindow?: number | undefined;
  countLimit?: number | undefined;
  /** Rows a broad search's walk reads per list before it asks the index (default: broad-search.ts, walkBudget). */
  walkBudget?: number | undefined;
}

/** The (at, rowId) bound of the rank window a ranked search's cursor carries, checked as the SQL types it binds to; null without one. */
function windowBound(cursor: string): [string, string] | null {
  const c = decodeCursor(cursor, 3);
  if (!c.carry) return null;
  if (c.carry.length !== 2) throw malformed();
  checkKeyParts(c.carry, ['timestamptz', 'uuid']);
  return [c.carry[0]!, c.carry[1]!];
}

/** A page of search results; `totalExact` false when the total is a lower bound (a broad search: broad-search.ts). */
export type SearchResultPage = Page<SearchItem> & { totalExact: boolean };

/**
 * The overdue rule of dispatch_overdue (migration 0042: overdue_reason over dispatch_deadline_facts)
 * written out as a join, so PostgreSQL inlines it for the page's rows: called as a function it runs
 * its own query per row (0.5 ms each, a quarter of a small search's time at 1,000,000 documents).
 */
const OVERDUE_OF = (id: string) =>
  `EXISTS (SELECT 1 FROM dispatch_deadline_facts f WHERE f.dispatch_id = ${id}
             AND overdue_reason(f.status, f.channel, f.arrived_at, f.registered_at, f.due_on, f.completed_at, now()) IS NOT NULL)`;

/** The shown columns of the page's received copies (still scoped by the agency). */
const INCOMING_ROWS = `SELECT x.id AS "rowId", d.id AS "documentId", x.id AS "dispatchId", d.sender_code AS sender, a.name AS "senderName",
         d.document_type AS "documentType", d.number, d.notation, d.issued_on::text AS "issuedOn", d.subject, d.urgency,
         d.due_on::text AS "dueOn", x.status, x.incoming_number AS "incomingNumber",
         ${OVERDUE_OF('x.id')} AS overdue, x.opened_at IS NULL AS unread, ${HANDLER_SQL} AS handler,
         CASE WHEN x.status = 'revoked' THEN d.revoked_at END AS "revokedAt", CASE WHEN x.status = 'revoked' THEN d.revoke_reason END AS "revokeReason"
    FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = d.sender_code
   WHERE x.recipient_code = $1 AND x.id = ANY($2::uuid[])`;

/** The shown columns of the page's sent documents. */
const OUTGOING_ROWS = `SELECT d.id AS "rowId", d.id AS "documentId", NULL::uuid AS "dispatchId", d.sender_code AS sender, a.name AS "senderName",
         d.document_type AS "documentType", d.number, d.notation, d.issued_on::text AS "issuedOn", d.subject, d.urgency,
         d.due_on::text AS "dueOn", d.status, NULL::text AS "incomingNumber",
         EXISTS (SELECT 1 FROM dispatches y WHERE y.document_id = d.id AND ${OVERDUE_OF('y.id')}) AS overdue, false AS unread, NULL::text AS handler,
         d.revoked_at AS "revokedAt", d.revoke_reason AS "revokeReason"
    FROM documents d JOIN agencies a ON a.code = d.sender_code
   WHERE d.sender_code = $1 AND d.id = ANY($2::uuid[])`;

/**
 * The page's rows with the columns shown, in the page's order. Computed for these rows only: the
 * overdue rule and the handler cost a lookup each, which over every match of a broad search (all
 * of them are ranked) was most of the time.
 */
async function pageRows(db: Queryable, agency: string, keys: { box: string; rowId: string; at: unknown; rank: unknown }[]): Promise<Record<string, unknown>[]> {
  const ids = (box: string) => keys.filter((k) => k.box === box).map((k) => k.rowId);
  const [inIds, outIds] = [ids('in'), ids('out')];
  const [rin, rout] = await Promise.all([
    inIds.length ? db.query(INCOMING_ROWS, [agency, inIds]) : { rows: [] },
    outIds.length ? db.query(OUTGOING_ROWS, [agency, outIds]) : { rows: [] },
  ]);
  const byKey = new Map<string, Record<string, unknown>>();
  for (const r of rin.rows as Record<string, unknown>[]) byKey.set(`in:${r.rowId as string}`, r);
  for (const r of rout.rows as Record<string, unknown>[]) byKey.set(`out:${r.rowId as string}`, r);
  return keys.flatMap((k) => {
    const row = byKey.get(`${k.box}:${k.rowId}`);
    if (!row) return [];
    const { revokedAt, revokeReason, overdue, unread, handler, ...head } = row;
    // The columns in the order the search always returned them.
    return [{ box: k.box, ...head, at: k.at, overdue, unread, handler, rank: k.rank, revokedAt, revokeReason }];
  });
}

/**
 * The one search: the documents the agency may read (its received copies, its sent documents),
 * matched by the words typed without regard to case or diacritics, filtered, ranked (the newest
 * matches of the rank window by relevance first, then the rest newest first: ranked-search.ts), in
 * keyset pages with the honest total. Past the count limit a search is broad: it says how many it
 * counted (`totalExact` false, a lower bound) and lists newest first (broad-search.ts); `count=exact`
 * counts and ranks every match. Every read is scoped by `agency` here, the same way for the API
 * and the web.
 */
export async function searchDocuments(db: Queryable, agency: string, f0: SearchQuery, reader: SearchReader = {}, opts: SearchOptions = {}): Promise<SearchResultPage> {
  // A reader limited to the copies given to them (unit heads, specialists) reads no sent document:
  // their box is the received one, and the sent box alone is empty for them.
  if (reader.givenTo && f0.box === 'out') return { items: [], total: 0, totalExact: true, nextCursor: null, prevCursor: null };
  const f: SearchQuery = reader.givenTo ? { ...f0, box: 'in' } : f0;
  const p = new SqlParams();
  // Which words the index is asked for follows how common they are (search-text.ts).
  const freq = f.q ? await wordFrequencies(db) : undefined;
  const text = textMatch(f.q, p, agency, freq);
  const box = f.box ?? 'all';
  // `count=exact` (and a limit of 0) reads, counts and ranks every match, however many.
  const countLimit = f.count === 'exact' ? 0 : (opts.countLimit ?? searchCountLimit());
  let source: string;
  let sample: string | null = null;
  // The rank window's bound, carried by the cursors of a ranked search from its first page (ranked-search.ts).
  const bound = text && f.cursor ? windowBound(f.cursor) : null;
  if (text) ({ page: source, sample } = rankedSelect(agency, f, p, text, reader, opts.rankWindow ?? searchRankWindow(), countLimit, bound));
  else {
    const branches: string[] = [];
    if (box !== 'out') branches.push(incomingBranch(agency, f, p, reader));
    if (box !== 'in') branches.push(outgoingBranch(agency, f, p));
    source = branches.map((b) => `(${b})`).join(' UNION ALL ');
  }
  const key = text
    ? [{ expr: 'u.ord', type: 'real' }, { expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }]
    : [{ expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }];
  const keyCols = key.map((k, i) => `${k.expr}::text AS "_k${i}"`).join(', ');
  let page: Page<SearchKeys & { _nm?: number }> = await keysetPage<SearchKeys & { _nm?: number }>(
    db,
    {
      select: `SELECT u.*, ${keyCols} FROM (${source}) u WHERE {{keyset}}`,
      key,
      params: p.values,
      // Ranked, every match is found for the order anyway: the total comes from the same query.
      count: text ? 'inline' : `SELECT count(*)::int AS n FROM (${source}) u`,
      // The best plan depends on the words, the filters and the agency (how many match, in which box).
      planEachTime: true,
      ...(text ? { carry: ['_w0', '_w1'] } : {}),
    },
    { limit: f.limit ?? DEFAULT_PAGE_SIZE, cursor: f.cursor, last: f.page === 'last' },
  );
  let totalExact = true;
  if (sample !== null && countLimit > 0) {
    // How many matches the capped read found: past the limit the search is broad.
    let read = page.items[0]?._nm;
    let readable = page.total;
    if (read === undefined) {
      const r = await db.query<{ nm: number; readable: number }>(plannedEachTime(sample, p.values));
      read = r.rows[0]?.nm ?? 0;
      readable = r.rows[0]?.readable ?? 0;
    }
    if (read > countLimit) {
      page = await broadSearchPage(db, agency, f, reader, readable, opts.walkBudget, freq);
      totalExact = false;
    }
  }
  const rows = await pageRows(db, agency, page.items);
  return {
    ...page,
    totalExact,
    items: rows.map(({ rowId: _r, ...row }) => ({
      ...(row as Omit<SearchItem, 'at' | 'revokedAt'>),
      at: new Date(row.at as string).toISOString(),
      revokedAt: row.revokedAt ? new Date(row.revokedAt as string).toISOString() : null,
    })),
  };
}
