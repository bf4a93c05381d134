import { expect } from 'chai';
import pg from 'pg';
import { RANDOM_PAGE_COST } from '../../../infra/embedded/postgres-planner';
import { testEnv } from '../../support/test-env';

/**
 * The generic plans a pooled connection caches for the trigger functions' lookups by key are made
 * while a young database's tables are a few pages, and kept until the next autoanalyze. With the
 * embedded server's random_page_cost (postgres-planner.ts) they read the key's index; with
 * PostgreSQL's own 4 the same lookups read the whole table at every call, however large it grows
 * before it is analyzed again. A copy of figure_documents (the rollup every document moves) of
 * a hundred-odd rows, analyzed, stands for such a table.
 */
describe('plans cached on a young table', function () {
  this.timeout(60_000);
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE young (LIKE figure_documents INCLUDING ALL) ON COMMIT DROP');
    await client.query(`
      INSERT INTO young (document_id, sender, paper_record, issued_on, copies, delivered, paper, failed, signed, pipeline_failed)
      SELECT gen_random_uuid(), 'UBND' || (i % 7), false, DATE '2026-12-01', 5, 0, 0, 0, false, false FROM generate_series(1, 120) AS i`);
    await client.query('ANALYZE young');
    await client.query("SET LOCAL plan_cache_mode = 'force_generic_plan'");
  });
  after(async () => {
    await client.query('ROLLBACK');
    await client.end();
  });

  async function plans(randomPageCost: string): Promise<string[]> {
    await client.query(`SET LOCAL random_page_cost = ${randomPageCost}`);
    const out: string[] = [];
    // lt_figure_move's update of the document's row, and lt_figure_signed_row's read of its sender.
    for (const [name, sql] of [
      ['move', 'UPDATE young SET delivered = $3 WHERE document_id = $1 AND sender = $2'],
      ['sender', 'SELECT f.sender FROM young f WHERE f.document_id = $1 AND NOT f.paper_record LIMIT 1'],
    ] as const) {
      const stmt = `${name}_${randomPageCost.replace('.', '_')}`;
      await client.query(`PREPARE ${stmt} AS ${sql}`);
      const args = name === 'move' ? "(gen_random_uuid(), 'UBND1', 1)" : '(gen_random_uuid())';
      const rows = (await client.query(`EXPLAIN EXECUTE ${stmt}${args}`)).rows as { 'QUERY PLAN': string }[];
      out.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    return out;
  }

  it('when the embedded server prices random reads, then each lookup by key reads the index, not the table', async () => {
    const pages = (await client.query("SELECT relpages FROM pg_class WHERE relname = 'young'")).rows[0].relpages as number;
    expect(pages, 'a table of a few pages').to.be.within(1, 8);
    for (const plan of await plans(RANDOM_PAGE_COST)) {
      expect(plan).to.match(/Index Scan using young_pkey|Bitmap Index Scan on young_pkey/);
      expect(plan).not.to.contain('Seq Scan');
    }
  });

  it("when random reads are priced at PostgreSQL's own 4, then the same lookups read the whole table (why the default changed)", async () => {
    for (const plan of await plans('4')) expect(plan).to.contain('Seq Scan on young');
  });
});
