import type { SearchItem, SearchQuery } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { MAX_PAGE_SIZE } from '../paging/cursor';
import { searchDocuments, type SearchReader } from './document-search';

/** Exports stop here; the export says so in its last line rather than cutting silently. */
export const EXPORT_MAX_ROWS = 100_000;

/** Every row of a search (for exports), page by page along the keyset, up to EXPORT_MAX_ROWS. */
export async function searchAll(db: Queryable, agency: string, f: SearchQuery, reader: SearchReader = {}): Promise<{ rows: SearchItem[]; total: number }> {
  const rows: SearchItem[] = [];
  let cursor: string | undefined;
  let total = 0;
  for (;;) {
    const page = await searchDocuments(db, agency, { ...f, limit: MAX_PAGE_SIZE, cursor, page: undefined }, reader);
    rows.push(...page.items);
    // A broad search's total is a lower bound: walked to the end, the rows themselves are the count.
    total = page.totalExact ? page.total : Math.max(page.total, rows.length);
    if (!page.nextCursor || rows.length >= EXPORT_MAX_ROWS) break;
    cursor = page.nextCursor;
  }
  return { rows: rows.slice(0, EXPORT_MAX_ROWS), total };
}
