import type { SearchQuery } from '../../../contracts';
import { givenToSql } from '../handling/handling.repository';
import { incomingFilters, outgoingFilters, type SqlParams, type TextMatch } from './search-filters';

/** Who is reading: unit heads and specialists see only the received copies given to them or their unit (issue 20). */
export interface SearchReader {
  givenTo?: { userId: string; departmentId: string | null } | undefined;
}

/**
 * How many of the newest matches are ranked by relevance (LIENTHONG_SEARCH_RANK_WINDOW, default
 * 1,000; 0 ranks every match). Measured at 1,000,000 documents: ranking is most of a broad
 * search's time ("UBND" matches most of an agency's documents), and nobody reads past the first
 * pages of a ranked list of thousands.
 */
export function searchRankWindow(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LIENTHONG_SEARCH_RANK_WINDOW;
  const n = raw === undefined || raw === '' ? 1000 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 1000;
}

/**
 * Past how many matches a word search stops counting and ranking (LIENTHONG_SEARCH_COUNT_LIMIT,
 * default 2,000; 0 counts and ranks every match, as `count=exact` does for one search). Counting
 * is a visit of every match: at 1,000,000 documents "UBND" matches ~17,000 of an agency's ~20,000
 * documents, and counting them alone cost more than the whole answer may. Past the limit the
 * search says "at least N" and lists its matches newest first (broad-search.ts).
 */
export function searchCountLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LIENTHONG_SEARCH_COUNT_LIMIT;
  const n = raw === undefined || raw === '' ? 2000 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 2000;
}

/**
 * The columns the filters of both boxes read from a matched document (d in search-filters.ts),
 * all of them on its document_search row (migration 0093): a match is one narrow row, not the
 * documents row.
 */
const MATCH_COLS = 'd.ctid AS tid, d.document_id AS id, d.sender_code, d.created_at, d.document_type, d.urgency, d.issued_on';

/** Whether the sent box's filters read the document's status, which only documents holds (it moves at every stage). */
function sentFiltersReadStatus(f: SearchQuery): boolean {
  return f.status !== undefined || (f.revoked !== undefined && f.revoked !== 'include');
}

/**
 * A ranked search in one pass over the matches: the documents matching the words are found once
 * (document_search's (readers, search_tsv) index, one heap visit each) and split into the agency's received
 * copies (joined to its delivered dispatches) and its sent documents; the total counts them all.
 * Relevance is computed for the newest `window` rows only (all when window is 0): they come first,
 * by rank, then the older matches, newest first, with rank null. Columns: box, rowId, at, rank,
 * ord (the sort value: the rank, or -1 past the window), _nm (how many matches were read). The ranked
 * rows are read again by their tuple id (same statement, same snapshot: the version the match
 * found), not through the primary key. With a count limit, `sample` (same parameters) says how
 * many matches were read (nm, at most the limit + 1) and how many of them the agency may read
 * (readable): what a page that came back empty cannot say.
 */
export function rankedSelect(
  agency: string,
  f: SearchQuery,
  p: SqlParams,
  text: TextMatch,
  reader: SearchReader,
  window: number,
  countLimit = 0,
  bound: readonly [string, string] | null = null,
): { page: string; sample: string } {
  const box = f.box ?? 'all';
  const a = p.add(agency);
  const branches: string[] = [];
  if (box !== 'out') {
    const where = [`x.recipient_code = ${a}`, 'x.delivered_at IS NOT NULL', ...incomingFilters(f, p)];
    if (reader.givenTo) where.push(givenToSql(`${p.add(reader.givenTo.userId)}::uuid`, `${p.add(reader.givenTo.departmentId)}::uuid`));
    branches.push(`SELECT 'in'::text AS box, x.id AS "rowId", x.delivered_at AS at, d.tid
                     FROM sm d JOIN dispatches x ON x.document_id = d.id WHERE ${where.join(' AND ')}`);
  }
  if (box !== 'in') {
    const where = [`d.sender_code = ${a}`, ...outgoingFilters(f, p)];
    // A status filter reads the documents row of the agency's own matches (d then is documents).
    const from = sentFiltersReadStatus(f) ? 'sm s JOIN documents d ON d.id = s.id' : 'sm d';
    const tid = sentFiltersReadStatus(f) ? 's.tid' : 'd.tid';
    branches.push(`SELECT 'out'::text AS box, d.id AS "rowId", d.created_at AS at, ${tid} AS tid FROM ${from} WHERE ${where.join(' AND ')}`);
  }
  // With a count limit, the matches are read up to one past it (the index's order, not the
  // newest): more than that many is a broad search (the "_nm" column says how many were read) and
  // its answer comes from the newest-first walk instead, so nothing is ranked here.
  const cap = countLimit > 0 ? p.add(countLimit) : null;
  const w = window > 0 ? p.add(window) : null;
  // The window is the newest `window` rows when the first page is read; its oldest row (at, rowId),
  // the bound, goes in the cursors ("_w0", "_w1"), and the next pages rank the rows from it up. So a
  // row keeps its place while documents arrive (by position alone, one newer match pushed the
  // window's oldest row out of the ranked part, and the next page showed it again); a match that
  // arrived since is newer than the bound and is ranked too.
  const b = w && bound ? [p.add(bound[0]), p.add(bound[1])] : null;
  // (The window's size is still named with a bound: a statement must use every parameter it is given.)
  const inWindow = !w ? 'TRUE' : b ? `${w}::int > 0 AND (sw.at, sw."rowId") >= (${b[0]}::timestamptz, ${b[1]}::uuid)` : `sw.pos <= ${w}`;
  const ranked = [inWindow, cap ? `n.nm <= ${cap}` : 'TRUE'].join(' AND ');
  const boundCols = !w ? 'NULL::text AS "_w0", NULL::text AS "_w1"' : b ? `${b[0]}::text AS "_w0", ${b[1]}::text AS "_w1"` : 'wb.wat AS "_w0", wb.wid AS "_w1"';
  // A substring of the metadata ("2026", "12/QĐ") is looked for among the agency's own documents
  // (its delivered copies and its sent documents), not among every agency's: "2026" is in all.
  const own = `SELECT x.document_id FROM dispatches x WHERE x.recipient_code = ${a} AND x.delivered_at IS NOT NULL
               UNION ALL SELECT o.id FROM documents o WHERE o.sender_code = ${a}`;
  const arms = [
    text.words ? `SELECT ${MATCH_COLS} FROM document_search d WHERE ${text.words}` : null,
    text.like ? `SELECT ${MATCH_COLS} FROM document_search d WHERE ${text.like} AND d.document_id IN (${own})` : null,
  ].filter((x): x is string => x !== null);
  const matches = arms.join(' UNION ');
  const ctes = `WITH sm AS MATERIALIZED (${cap ? `SELECT * FROM (${matches}) m LIMIT ${cap}::int + 1` : matches}),
       n AS (SELECT count(*)::int AS nm FROM sm),
       sr AS (${branches.map((b) => `(${b})`).join(' UNION ALL ')}),
       sw AS (SELECT sr.*, row_number() OVER (ORDER BY sr.at DESC, sr."rowId" DESC) AS pos FROM sr)${
         w && !b ? `,
       wb AS (SELECT sw.at::text AS wat, sw."rowId"::text AS wid FROM sw WHERE sw.pos <= ${w} ORDER BY sw.pos DESC LIMIT 1)` : ''}`;
  // (The window's parameter is named too: a statement must use every parameter it is given.)
  const sample = `${ctes} SELECT n.nm, (SELECT count(*)::int FROM sr) AS readable${w ? `, ${w}::int AS "window"` : ''}${b ? `, ${b[0]}::text AS "_w0", ${b[1]}::text AS "_w1"` : ''} FROM n`;
  const page = `${ctes}
  SELECT v.box, v."rowId", v.at, v.rank, COALESCE(v.rank, -1)::real AS ord, v.nm AS "_nm", v."_w0", v."_w1"
    FROM (SELECT sw.box, sw."rowId", sw.at, n.nm, ${boundCols},
                 CASE WHEN ${ranked} THEN (SELECT ${text.rank} FROM document_search d WHERE d.ctid = sw.tid) END AS rank
            FROM sw CROSS JOIN n${w && !b ? ' LEFT JOIN wb ON TRUE' : ''} OFFSET 0) v`; // OFFSET 0: the rank is computed once per row, not again for ord
  return { page, sample };
}
