import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { LedgerKind } from '../../../contracts';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { appendLedger } from '../../../services/domain/ledger/ledger.repository';
import { ledgerCommand } from '../../../services/cli/commands/ledger.command';
import type { CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { testEnv } from '../../support/test-env';

/**
 * The ledger is shared by every suite of the run, so each tampering is undone (with the same
 * bypass) before the test ends and the chain is proven sound again.
 */
describe('ledger: append-only in the database, and `ledger verify` finds what a superuser changed', function () {
  this.timeout(60_000);
  let db: Db;
  let ids: number[];

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 3 });
    const documentId = randomUUID();
    ids = [];
    for (const kind of [LedgerKind.documentAccepted, LedgerKind.dispatchDelivered, LedgerKind.dispatchDelivered]) {
      await inTransaction(db, async (tx) => {
        const dispatchId = kind === LedgerKind.documentAccepted ? null : randomUUID();
        // A detail in the accept stage's own key order, which jsonb does not keep.
        await appendLedger(tx, { kind, documentId, dispatchId, sender: 'TAMPER.1', recipient: dispatchId ? 'TAMPER.2' : null, channel: dispatchId ? 'hosted' : null,
          detail: dispatchId ? {} : { number: '07', notation: 'UBND-VP', year: 2026, recipients: 2 } });
        ids.push((await tx.query('SELECT max(id)::int AS id FROM ledger')).rows[0].id);
      });
    }
  });
  after(async () => db.end());

  async function refused(sql: string): Promise<string> {
    // Inside a transaction that is always rolled back: if the guard were missing, nothing is lost.
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      return 'accepted';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  async function bypassed(sql: string, params: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE ledger DISABLE TRIGGER ledger_no_update');
      await client.query(sql, params);
      await client.query('ALTER TABLE ledger ENABLE TRIGGER ledger_no_update');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }

  it('when anyone UPDATEs, DELETEs or TRUNCATEs the ledger, then the database refuses', async () => {
    expect(await refused(`UPDATE ledger SET recipient = 'X' WHERE id = ${ids[1]}`)).to.contain('ledger is append-only: UPDATE refused');
    expect(await refused(`DELETE FROM ledger WHERE id = ${ids[1]}`)).to.contain('ledger is append-only: DELETE refused');
    // Anchors reference ledger rows (issue 21): a plain TRUNCATE is refused for that first; with
    // CASCADE it reaches the ledger's own guard.
    expect(await refused('TRUNCATE ledger')).to.match(/append-only: TRUNCATE refused|cannot truncate a table referenced/);
    expect(await refused('TRUNCATE ledger CASCADE')).to.contain('ledger is append-only: TRUNCATE refused');
  });

  it('when nothing was touched, then verify walks every row in batches and finds the chain sound', async () => {
    const total = (await db.query('SELECT count(*)::int AS n FROM ledger')).rows[0].n;
    const r = await verifyLedger(db, { batchSize: 2 });
    expect(r, JSON.stringify(r)).to.include({ ok: true, rows: total });
    expect(r.lastId).to.be.at.least(ids[2]!);
    // Why verify also tries other key orders: jsonb gave the accept row's detail back reordered.
    const stored = (await db.query(`SELECT detail FROM ledger WHERE id = $1`, [ids[0]])).rows[0].detail;
    expect(Object.keys(stored)).to.deep.equal(['year', 'number', 'notation', 'recipients']);
  });

  it('when a superuser alters a row with the guard disabled, then verify names that row', async () => {
    const original = (await db.query(`SELECT recipient FROM ledger WHERE id = $1`, [ids[1]])).rows[0].recipient;
    await bypassed(`UPDATE ledger SET recipient = 'EVIL.1' WHERE id = $1`, [ids[1]]);
    try {
      const r = await verifyLedger(db, { batchSize: 2 });
      expect(r).to.include({ ok: false, firstBadId: ids[1] });
      expect(r.reason).to.contain('altered');
    } finally {
      await bypassed(`UPDATE ledger SET recipient = $2 WHERE id = $1`, [ids[1], original]);
    }
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('when a superuser deletes a row, then verify names the row after the gap', async () => {
    // `at` as text: a JS Date would drop the microseconds the hash covers.
    const row = (await db.query(`SELECT *, at::text AS at_text FROM ledger WHERE id = $1`, [ids[1]])).rows[0];
    await bypassed(`DELETE FROM ledger WHERE id = $1`, [ids[1]]);
    try {
      const r = await verifyLedger(db);
      expect(r).to.include({ ok: false, firstBadId: ids[2] });
      expect(r.reason).to.contain('removed');
    } finally {
      await db.query(
        `INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
         VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [row.id, row.at_text, row.kind, row.document_id, row.dispatch_id, row.sender, row.recipient, row.channel, row.detail, row.prev_hash, row.hash, row.chain],
      );
    }
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('when two agencies append, then each has its own chain: a row of one links to that agency\'s previous row, not to the other\'s', async () => {
    await inTransaction(db, (tx) => appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: randomUUID(), sender: 'OTHER.1' }));
    await inTransaction(db, (tx) => appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: randomUUID(), sender: 'TAMPER.1' }));
    const rows = (await db.query(`SELECT id, chain, prev_hash, hash FROM ledger WHERE chain = ANY($1::text[]) ORDER BY id`, [['TAMPER.1', 'OTHER.1']])).rows;
    const tamper = rows.filter((r) => r.chain === 'TAMPER.1');
    expect(tamper.length).to.equal(4);
    for (let i = 1; i < tamper.length; i++) expect(tamper[i].prev_hash).to.equal(tamper[i - 1].hash);
    expect((await verifyLedger(db)).ok).to.equal(true);
  });

  it('when the operator runs `lienthong ledger verify`, then it answers 0 for a sound chain and says so', async () => {
    const printed: unknown[] = [];
    const ctx: CliContext = { db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
    expect(await ledgerCommand(['verify'], ctx)).to.equal(0);
    expect(printed[0]).to.include({ ok: true });
  });
});
