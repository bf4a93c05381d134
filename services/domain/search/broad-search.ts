import type { SearchQuery } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor } from '../paging/cursor';
import { keysetPage, type Page } from '../paging/keyset-page';
import { incomingBranch, outgoingBranch } from './list-branches';
import type { SearchReader } from './ranked-search';
import { indexedMatches, SqlParams, textProbe } from './search-filters';
import type { WordFrequencies } from './word-frequencies';

/*
 * A broad word search: more matches than the count limit (ranked-search.ts, searchCountLimit).
 * Reading and counting every match is what made "UBND" or "noi vu" slow (at 1,000,000 documents
 * they match nearly all of an agency's ~20,000), so a broad search is answered the way the inbox
 * is: the agency's delivered copies and sent documents walked newest first along their indexes,
 * each row kept when its document_search row matches the words, until the page is full. A page
 * costs about (page size ÷ share of documents matching) probes, a few milliseconds for a broad
 * search, whatever its depth; a list where the words are rare is read through the index instead
 * (walkedBranch). The total is a lower bound (`totalExact: false`): the matches the
 * agency may read among those counted before the limit stopped the count.
 */

/** The sort value of an unranked row in the ranked search's cursors (COALESCE(rank, -1)::real as text). */
const UNRANKED = '-1';

export interface SearchKeys {
  box: string;
  rowId: string;
  at: unknown;
  rank: unknown;
}

/**
 * The ranked search's cursors are (ord, at, rowId); a broad search's rows all have ord -1, so its
 * cursors are the same shape and either kind of search reads the other's. A cursor from the ranked
 * part (ord ≥ 0: the search was narrower when it was made) starts the walk over.
 */
function walkCursor(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const c = decodeCursor(raw, 3);
  return c.key[0] === UNRANKED ? encodeCursor(c.dir, c.key.slice(1)) : undefined;
}

function searchCursor(raw: string | null): string | null {
  if (!raw) return null;
  const c = decodeCursor(raw, 2);
  return encodeCursor(c.dir, [UNRANKED, ...c.key]);
}

/** How many rows of one list a page's walk reads before it asks the index instead: ten per row shown. */
export function walkBudget(limit: number): number {
  return Math.max(100, 10 * (limit + 1));
}

/**
 * One list of the page: walked newest first along its index, each row kept when its document
 * matches, to the page's size; when `budget` rows were read and the page is still not full, the
 * words are rare in this list (common in what the agency received, rare in what it sent) and the
 * rows come from the index instead: `fallback` (the matching documents through (readers,
 * search_tsv)) joined to the same list. The unused side is never executed.
 */
function walkedBranch(branch: string, fallback: string, probe: string, budget: string): string {
  return `SELECT * FROM (WITH walk AS MATERIALIZED (
      SELECT u.box, u."rowId", u.at, u.rank
        FROM (SELECT * FROM (${branch}) u WHERE {{keyset}} ORDER BY {{order}} LIMIT ${budget}) u
       WHERE ${probe} ORDER BY {{order}} LIMIT {{limit}}),
    use_index AS MATERIALIZED (
      SELECT (SELECT count(*) FROM walk) < {{limit}}
         AND EXISTS (SELECT 1 FROM (SELECT 1 FROM (${branch}) u WHERE {{keyset}} ORDER BY {{order}} OFFSET ${budget}::int - 1 LIMIT 1) e) AS yes)
    SELECT u.* FROM walk u WHERE NOT (SELECT yes FROM use_index)
    UNION ALL
    SELECT u.* FROM (SELECT u.box, u."rowId", u.at, u.rank FROM (${fallback}) u WHERE {{keyset}} ORDER BY {{order}} LIMIT {{limit}}) u
     WHERE (SELECT yes FROM use_index)) u`;
}

/** One page of a broad search, newest first (keyset paging as every list), with rank null. */
export async function broadSearchPage(db: Queryable, agency: string, f: SearchQuery, reader: SearchReader, atLeast: number, budgetRows?: number, freq?: WordFrequencies): Promise<Page<SearchKeys>> {
  const p = new SqlParams();
  const limit = f.limit ?? DEFAULT_PAGE_SIZE;
  const probe = textProbe(f.q, p, 'u."docId"') ?? 'TRUE';
  const budget = `${p.add(budgetRows ?? walkBudget(limit))}::int`;
  const box = f.box ?? 'all';
  const branches: string[] = [];
  const among = (key: string, doc: string) => {
    const m = indexedMatches(f.q, p, key, freq);
    return m ? [`${doc} IN (${m})`] : [];
  };
  if (box !== 'out') branches.push(walkedBranch(incomingBranch(agency, f, p, reader), incomingBranch(agency, f, p, reader, among(agency, 'x.document_id')), probe, budget));
  if (box !== 'in') branches.push(walkedBranch(outgoingBranch(agency, f, p), outgoingBranch(agency, f, p, among(`>${agency}`, 'd.id')), probe, budget));
  const page = await keysetPage<SearchKeys>(
    db,
    {
      select: `SELECT u.*, u.at::text AS "_k0", u."rowId"::text AS "_k1" FROM (${branches.map((b) => `(${b})`).join(' UNION ALL ')}) u`,
      key: [{ expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }],
      params: p.values,
      count: { known: atLeast },
      planEachTime: true,
    },
    { limit, cursor: walkCursor(f.cursor), last: f.page === 'last' },
  );
  return { ...page, total: Math.max(atLeast, page.items.length), nextCursor: searchCursor(page.nextCursor), prevCursor: searchCursor(page.prevCursor) };
}
