// How the embedded PostgreSQL's planner prices a page read out of order.
//
// PostgreSQL prices a random page read at four sequential ones (random_page_cost = 4), a model of
// spinning disks. The embedded server keeps its data on the machine's own disk, an SSD or a cloud
// machine's virtual disk, with a quarter of the memory as its page cache (postgres-memory.ts): a
// page read out of order costs about what the next page does. PostgreSQL's documentation suggests
// 1.1 for such storage.
//
// With 4, a lookup by primary key on a table of a few pages is priced above reading the whole
// table. A pooled connection keeps the generic plan of each lookup in the trigger functions after
// its first few runs, and a young database's tables are a few pages then: such a plan read the
// whole table at every call while the table grew, until the next autoanalyze replanned it. In the
// benchmark's one-page-to-5 phase that was 3,813 full scans of `figure_documents` in 10 s, reading
// 2 million rows, and more of `blobs` and `agency_certificates`; at 1.1 none, and PostgreSQL spent
// about a tenth less CPU per document (BENCHMARKS.md § The twentieth session).
//
// LIENTHONG_PG_RANDOM_PAGE_COST replaces the default (a number, 4 for PostgreSQL's own). Servers
// named by DATABASE_URL are not touched.

/** The embedded server's random_page_cost unless the environment names one. */
export const RANDOM_PAGE_COST = '1.1';

/** postgresql.conf settings for the embedded server's planner. */
export function plannerSettings(randomPageCost?: string): Record<string, string> {
  const cost = randomPageCost?.trim() ? randomPageCost.trim() : RANDOM_PAGE_COST;
  if (!/^\d+(\.\d+)?$/.test(cost) || Number(cost) <= 0) {
    throw new Error(`LIENTHONG_PG_RANDOM_PAGE_COST must be a positive number such as 1.1 or 4, not ${JSON.stringify(cost)}`);
  }
  return { random_page_cost: cost };
}
