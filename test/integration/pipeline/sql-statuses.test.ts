import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { IN_FLIGHT_DOCUMENT_STATUSES, OPEN_DISPATCH_STATUSES } from '../../../services/pipeline/stage-order';
import { acceptTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies } from '../../support/agencies.fixture';
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

  it('when the partial indexes and the open column are read, then they name the functions, not a list', async () => {
    const r = await db.query<{ name: string; predicate: string }>(
      `SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('documents_in_flight', 'dispatches_in_flight', 'dispatches_alerted', 'dispatches_open') ORDER BY c.relname`,
    );
    expect(r.rows.map((x) => x.name)).to.deep.equal(['dispatches_alerted', 'dispatches_open', 'documents_in_flight']);
    expect(r.rows[0]!.predicate).to.contain('lienthong_open_dispatch_statuses()').and.to.contain('alerted_at IS NOT NULL');
    expect(r.rows[1]!.predicate).to.equal('open');
    expect(r.rows[2]!.predicate).to.contain('lienthong_in_flight_document_statuses()');
    for (const x of r.rows) expect(x.predicate, x.name).to.not.match(/'pending'|'accepted'/);
    // Migration 0101: dispatches.open is the open statuses, computed by the same function.
    const col = await db.query<{ generation_expression: string }>(
      `SELECT generation_expression FROM information_schema.columns WHERE table_name = 'dispatches' AND column_name = 'open'`,
    );
    expect(col.rows[0]?.generation_expression).to.contain('lienthong_open_dispatch_statuses()');
  });

  it('when a copy moves through its statuses, then its open column says whether it is still to be delivered', async () => {
    const [sender, recipient] = await createAgencies(db, 2, { withCertificates: false });
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const doc = await acceptTestDocument(client, { sender: sender!.code, recipients: [recipient!.code] });
      const id = doc.dispatchIds[0]!;
      const first = await client.query<{ status: string; open: boolean }>(`SELECT status, open FROM dispatches WHERE id = $1`, [id]);
      expect(first.rows[0]).to.deep.equal({ status: 'pending', open: true });
      for (const [status, open] of [['delivering', true], ['delivered', false], ['failed', false], ['pending', true], ['revoked', false]] as const) {
        const u = await client.query<{ open: boolean }>(`UPDATE dispatches SET status = $2 WHERE id = $1 RETURNING open`, [id, status]);
        expect(u.rows[0]!.open, status).to.equal(open);
      }
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('when a query names the statuses as a list or through the function, then the planner still takes the partial index', async () => {
    expect(await planOf(db, `SELECT id FROM dispatches WHERE open AND status = ANY (lienthong_open_dispatch_statuses()) AND updated_at < now()`)).to.contain('dispatches_open');
    expect(await planOf(db, `SELECT id FROM dispatches WHERE open AND status IN ('pending', 'delivering') AND updated_at < now()`)).to.contain('dispatches_open');
    expect(await planOf(db, `SELECT id FROM documents WHERE status IN ('accepted', 'converted', 'signed') AND updated_at < now()`)).to.contain('documents_in_flight');
    expect(await planOf(db, `SELECT count(*) FROM dispatches WHERE alerted_at IS NOT NULL AND status = ANY (lienthong_open_dispatch_statuses())`)).to.contain('dispatches_alerted');
    // A list the index does not cover cannot use it (the check can fail).
    expect(await planOf(db, `SELECT id FROM documents WHERE status IN ('accepted', 'routed') AND updated_at < now()`)).to.not.contain('documents_in_flight');
  });

  it("when one document's pending copies are asked for, then the sweeper's index cannot be taken for it (migration 0101)", async () => {
    // Its predicate is `open`, which `status = 'pending'` does not imply: the lookup goes by the document.
    const byDocument = `SELECT id FROM dispatches WHERE document_id = '00000000-0000-0000-0000-000000000000' AND status = 'pending'`;
    const plan = await planOf(db, byDocument);
    expect(plan).to.not.contain('dispatches_open').and.to.not.contain('dispatches_alerted');
    expect(plan).to.contain('dispatches_document_id_recipient_code_key');
  });
});
