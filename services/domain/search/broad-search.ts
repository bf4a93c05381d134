import type { SearchQuery } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor } from '../paging/cursor';
import { keysetPage, type Page } from '../paging/keyset-page';
import { incomingBranch, outgoingBranch } from './list-branches';
import type { SearchReader } from './ranked-search';
import { SqlParams, textProbe } from './search-filters';

/*
 * A broad word search: more matches than the count limit (ranked-search.ts, searchCountLimit).
 * Reading and counting every match is what made "UBND" or "noi vu" slow (at 1,000,000 documents
 * they match nearly all of an agency's ~20,000), so a broad search is answered the way the inbox
 * is: the agency's delivered copies and sent documents walked newest first along their indexes,
 * each row kept when its document_search row matches the words, until the page is full. A page
 * costs about (page size ÷ share of documents matching) probes, a few milliseconds for a broad
 * search, whatever its depth. The total is a lower bound (`totalExact: false`): the matches the
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

/** One page of a broad search, newest first (keyset paging as every list), with rank null. */
export async function broadSearchPage(db: Queryable, agency: string, f: SearchQuery, reader: SearchReader, atLeast: number): Promise<Page<SearchKeys>> {
  const p = new SqlParams();
  const probe = textProbe(f.q, p);
  const extra = probe ? [probe] : [];
  const box = f.box ?? 'all';
  const branches: string[] = [];
  if (box !== 'out') branches.push(incomingBranch(agency, f, p, reader, extra));
  if (box !== 'in') branches.push(outgoingBranch(agency, f, p, extra));
  // Each branch walks its own index to the page's size; the page is the newest of both.
  const source = branches.map((b) => `(SELECT * FROM (${b}) u WHERE {{keyset}} ORDER BY {{order}} LIMIT {{limit}})`).join(' UNION ALL ');
  const page = await keysetPage<SearchKeys>(
    db,
    {
      select: `SELECT u.*, u.at::text AS "_k0", u."rowId"::text AS "_k1" FROM (${source}) u`,
      key: [{ expr: 'u.at', type: 'timestamptz' }, { expr: 'u."rowId"', type: 'uuid' }],
      params: p.values,
      count: { known: atLeast },
    },
    { limit: f.limit ?? DEFAULT_PAGE_SIZE, cursor: walkCursor(f.cursor), last: f.page === 'last' },
  );
  return { ...page, total: Math.max(atLeast, page.items.length), nextCursor: searchCursor(page.nextCursor), prevCursor: searchCursor(page.prevCursor) };
}
