import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { IN_FLIGHT_DOCUMENT_STATUSES, OPEN_DISPATCH_STATUSES } from '../../../services/pipeline/stage-order';
import { testEnv } from '../../support/test-env';

/** The plan of `sql` with sequential scans priced out, as text: which index (if any) it takes. */
async function planOf(db: Db, sql: string): Promise<string> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    await client.query('SET LOCAL enable_bitmapscan = off');
    const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
    return r.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

describe('pipeline: the open and in-flight statuses in the migrated database', function () {
  this.timeout(60_000);
  let db: Db;
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  after(async () => {
    await db.end();
  });

  it('when the SQL functions are called, then they return the TypeScript constants', async () => {
    const r = await db.query<{ open: string[]; inFlight: string[] }>(
      `SELECT lienthong_open_dispatch_statuses() AS open, lienthong_in_flight_document_statuses() AS "inFlight"`,
    );
    expect(r.rows[0]!.open).to.deep.equal([...OPEN_DISPATCH_STATUSES]);
    expect(r.rows[0]!.inFlight).to.deep.equal([...IN_FLIGHT_DOCUMENT_STATUSES]);
    const fns = await db.query<{ proname: string; provolatile: string }>(
      `SELECT proname, provolatile FROM pg_proc WHERE proname IN ('lienthong_open_dispatch_statuses', 'lienthong_in_flight_document_statuses') ORDER BY proname`,
    );
    expect(fns.rows).to.deep.equal([
      { proname: 'lienthong_in_flight_document_statuses', provolatile: 'i' },
      { proname: 'lienthong_open_dispatch_statuses', provolatile: 'i' },
    ]);
  });

  it('when the partial indexes are read, then their predicates name the functions, not a list', async () => {
    const r = await db.query<{ name: string; predicate: string }>(
      `SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('documents_in_flight', 'dispatches_in_flight', 'dispatches_alerted') ORDER BY c.relname`,
    );
    expect(r.rows.map((x) => x.name)).to.deep.equal(['dispatches_alerted', 'dispatches_in_flight', 'documents_in_flight']);
    expect(r.rows[0]!.predicate).to.contain('lienthong_open_dispatch_statuses()').and.to.contain('alerted_at IS NOT NULL');
    expect(r.rows[1]!.predicate).to.contain('lienthong_open_dispatch_statuses()');
    expect(r.rows[2]!.predicate).to.contain('lienthong_in_flight_document_statuses()');
    for (const x of r.rows) expect(x.predicate, x.name).to.not.match(/'pending'|'accepted'/);
  });

  it('when a query names the statuses as a list or through the function, then the planner still takes the partial index', async () => {
    expect(await planOf(db, `SELECT id FROM dispatches WHERE status = ANY (lienthong_open_dispatch_statuses()) AND updated_at < now()`)).to.contain('dispatches_in_flight');
    expect(await planOf(db, `SELECT id FROM dispatches WHERE status IN ('pending', 'delivering') AND updated_at < now()`)).to.contain('dispatches_in_flight');
    expect(await planOf(db, `SELECT id FROM documents WHERE status IN ('accepted', 'converted', 'signed') AND updated_at < now()`)).to.contain('documents_in_flight');
    expect(await planOf(db, `SELECT count(*) FROM dispatches WHERE alerted_at IS NOT NULL AND status = ANY (lienthong_open_dispatch_statuses())`)).to.contain('dispatches_alerted');
    // A list the index does not cover cannot use it (the check can fail).
    expect(await planOf(db, `SELECT id FROM dispatches WHERE status IN ('pending', 'delivered') AND updated_at < now()`)).to.not.contain('dispatches_in_flight');
  });
});
