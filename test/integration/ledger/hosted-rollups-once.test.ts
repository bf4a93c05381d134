import { expect } from 'chai';
import { LedgerKind } from '../../../contracts';
import { loadConfig } from '../../../services/config/config';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { appendLedger } from '../../../services/domain/ledger/ledger.repository';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { logger } from '../../../services/logging/logger';
import { documentOutcomeTuples, type FigureScope, type GroupBy, type OutcomeTuple } from '../../../services/stats/edoc-rate.query';
import { onTimeByKey } from '../../../services/stats/on-time.query';
import type { StageContext } from '../../../workers/runtime/stage-context';
import { deliverStage } from '../../../workers/stages/deliver.job';
import { acceptTestDocument, routeTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentOutcomeTuplesFromLedger } from '../../support/figures-oracle/edoc-rate.ledger-query';
import { onTimeByKeyFromEvents } from '../../support/figures-oracle/on-time.ledger-query';
import { testEnv } from '../../support/test-env';

const sorted = (tuples: OutcomeTuple[]) => tuples.map((t) => JSON.stringify(t)).sort();

/**
 * Issue 25 (migration 0096): when a document's hosted copies get their FIRST outcomes in one
 * statement (ledger_append_many), the rollups are moved once for the document — figure_copies and
 * figure_on_time_months in one upsert, figure_documents / figure_outcomes in one move — instead of by the
 * ledger row trigger once per copy. The counts must be exactly the per-row path's: equal to what
 * the ledger and the copies' events say, and to what the rebuild functions find.
 */
describe('rollups: a document\'s hosted first outcomes move figure_outcomes and the on-time months once', function () {
  this.timeout(180_000);
  let db: Db;
  let ctx: StageContext;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let day = 0;

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 10 });
    const agencies = await createAgencies(db, 5, { withCertificates: false });
    sender = agencies[0]!;
    recipients = agencies.slice(1);
    const log = logger('test-hosted-rollups');
    log.level = 'silent'; // the final-failure path logs an ALERT on purpose
    ctx = { db, config: loadConfig(), log, attempt: 1, lastAttempt: false };
  });
  after(async () => db.end());

  /** A routed document of `sender` to every recipient, accepted in the ledger, issued on a day of its own. */
  async function routed(dueOn: string | null): Promise<{ documentId: string; ids: string[]; issuedOn: string }> {
    const n = ++day;
    const issuedOn = `2033-0${1 + Math.floor((n - 1) / 28)}-${String(1 + ((n - 1) % 28)).padStart(2, '0')}`;
    const to = recipients.map((r) => r.code);
    const { documentId } = await inTransaction(db, async (tx) => {
      const d = await acceptTestDocument(tx, { sender: sender.code, recipients: to, issuedOn, dueOn: dueOn ?? undefined, number: String(700 + n) });
      await appendLedger(tx, {
        kind: LedgerKind.documentAccepted,
        documentId: d.documentId,
        sender: sender.code,
        detail: { number: String(700 + n), notation: 'UBND-VP', year: 2033, recipients: to.length },
      });
      return d;
    });
    await routeTestDocument(db, documentId);
    const ids = (await db.query(`SELECT id FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [documentId])).rows.map((r) => r.id as string);
    return { documentId, ids, issuedOn };
  }

  /**
   * The tuples (delivered/paper/failed) a document of that day was counted in and left: rows with 0
   * documents. Every move leaves the tuple it starts from; the per-row trigger also leaves each
   * tuple it passes through between one copy's outcome and the next.
   */
  async function leftTuples(issuedOn: string): Promise<string[]> {
    const r = await db.query<{ t: string }>(
      `SELECT delivered || '/' || paper || '/' || failed AS t FROM figure_outcomes
        WHERE sender = $1 AND issued_on = $2 AND documents = 0 ORDER BY delivered, paper, failed`,
      [sender.code, issuedOn],
    );
    return r.rows.map((x) => x.t);
  }

  async function expectSameAsLedger(): Promise<void> {
    for (const groupBy of ['month', 'agency'] as GroupBy[]) {
      const s: FigureScope = { from: '2033-01-01', to: '2033-12-31', agencies: [sender.code], groupBy };
      const ledger = await documentOutcomeTuplesFromLedger(db, s);
      expect(ledger.length, 'the oracle sees the documents').to.be.greaterThan(0);
      expect(sorted(await documentOutcomeTuples(db, s)), `outcomes by ${groupBy}`).to.deep.equal(sorted(ledger));
      for (const asOf of [new Date(), new Date('2033-02-10T12:00:00+07:00')]) {
        const [days, events] = await Promise.all([onTimeByKey(db, s, asOf), onTimeByKeyFromEvents(db, s, asOf)]);
        expect([...days.entries()].sort(), `on time by ${groupBy} at ${asOf.toISOString()}`).to.deep.equal([...events.entries()].sort());
      }
    }
  }

  it('when routed documents\' hosted copies are delivered, several at once, then each document moves once (no intermediate tuple is written) and the rollups equal the ledger', async () => {
    const docs = await Promise.all([routed(null), routed('2033-02-20'), routed('2033-01-02'), routed(null), routed('2033-03-01'), routed(null)]);
    await Promise.all(docs.map((d) => deliverStage.run({ documentId: d.documentId, hosted: true }, ctx)));
    for (const d of docs) {
      const copies = await db.query(`SELECT status FROM dispatches WHERE document_id = $1`, [d.documentId]);
      expect(copies.rows.map((r) => r.status)).to.deep.equal(recipients.map(() => 'delivered'));
      // Accepted (0/0/0), then all copies delivered at once: the one tuple left is the first.
      expect(await leftTuples(d.issuedOn), `tuples left on ${d.issuedOn}`).to.deep.equal(['0/0/0']);
    }
    const counted = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM figure_copies WHERE dispatch_id = ANY($1::uuid[])`, [docs.flatMap((d) => d.ids)]);
    expect(counted.rows[0]!.n).to.equal(docs.length * recipients.length);
    // A re-run delivers nothing and counts nothing twice.
    await Promise.all(docs.map((d) => deliverStage.run({ documentId: d.documentId, hosted: true }, ctx)));
    await expectSameAsLedger();
  });

  it('when the hosted job fails for good after one copy was delivered by its own job, then the failed copies move the document once and the rollups equal the ledger', async () => {
    const d = await routed('2033-02-01');
    await deliverStage.run({ documentId: d.documentId, dispatchId: d.ids[0]! }, ctx);
    await deliverStage.onFinalFailure({ documentId: d.documentId, hosted: true }, new Error('máy chủ không trả lời'), ctx);
    const tuple = await db.query(`SELECT copies, delivered, failed FROM figure_documents WHERE document_id = $1`, [d.documentId]);
    expect(tuple.rows).to.deep.equal([{ copies: recipients.length, delivered: 1, failed: recipients.length - 1 }]);
    // 0/0/0 → 1/0/0 (the copy's own statement, through the trigger) → 1/0/3 at once (not 1/0/1, 1/0/2).
    expect(await leftTuples(d.issuedOn)).to.deep.equal(['0/0/0', '1/0/0']);
    await expectSameAsLedger();
  });

  it('when a copy already has an outcome in the ledger, then the per-row trigger counts the batch as before and the rollups still equal the ledger', async () => {
    const d = await routed(null);
    // An earlier failure of the first copy, recorded while the copy was still open.
    await appendLedger(db, { kind: LedgerKind.dispatchFailed, documentId: d.documentId, dispatchId: d.ids[0]!, sender: sender.code, recipient: recipients[0]!.code, channel: 'hosted' });
    await deliverStage.run({ documentId: d.documentId, hosted: true }, ctx);
    const tuple = await db.query(`SELECT delivered, failed FROM figure_documents WHERE document_id = $1`, [d.documentId]);
    expect(tuple.rows).to.deep.equal([{ delivered: recipients.length, failed: 0 }]);
    // The per-row path passed through every tuple between (what shows that it ran):
    // 0/0/0 → 0/0/1 (the earlier failure) → 1/0/0 → 2/0/0 → 3/0/0 → 4/0/0.
    expect(await leftTuples(d.issuedOn)).to.deep.equal(['0/0/0', '0/0/1', '1/0/0', '2/0/0', '3/0/0']);
    await expectSameAsLedger();
  });

  it('when the batch asks whether copies were counted before (lt_copies_uncounted, 0104), then an outcome in the ledger or a kept copy of any one of them says yes', async () => {
    const uncounted = async (q: Pick<Db, 'query'>, ids: string[] | null) =>
      (await q.query<{ u: boolean }>(`SELECT lt_copies_uncounted($1::uuid[]) AS u`, [ids])).rows[0]!.u;
    const a = await routed(null);
    const b = await routed(null);
    expect(await uncounted(db, a.ids), 'a routed document\'s copies').to.equal(true);
    expect(await uncounted(db, []), 'no copies').to.equal(true);
    expect(await uncounted(db, null), 'no array').to.equal(true);
    // The last copy of a has an outcome in the ledger.
    await appendLedger(db, { kind: LedgerKind.dispatchFailed, documentId: a.documentId, dispatchId: a.ids.at(-1)!, sender: sender.code, recipient: recipients.at(-1)!.code, channel: 'hosted' });
    expect(await uncounted(db, a.ids), 'one copy failed in the ledger').to.equal(false);
    expect(await uncounted(db, [...b.ids, a.ids.at(-1)!]), 'mixed with uncounted copies').to.equal(false);
    expect(await uncounted(db, b.ids), 'the other document\'s copies').to.equal(true);
    // A kept copy (figure_copies) of b's second copy, in a transaction undone after.
    await inTransaction(db, async (tx) => {
      await tx.query(
        `INSERT INTO figure_copies (dispatch_id, issued_on, recipient, arrived_on) VALUES ($1, $2, $3, $2)`,
        [b.ids[1], b.issuedOn, recipients[1]!.code],
      );
      expect(await uncounted(tx, b.ids), 'a kept copy').to.equal(false);
      throw new Error('undo');
    }).catch((e: Error) => expect(e.message).to.equal('undo'));
    expect(await uncounted(db, b.ids)).to.equal(true);
    // Both documents delivered: a copy by copy (the trigger), b at once; the figures stay right.
    await deliverStage.run({ documentId: a.documentId, hosted: true }, ctx);
    await deliverStage.run({ documentId: b.documentId, hosted: true }, ctx);
    expect(await leftTuples(b.issuedOn)).to.deep.equal(['0/0/0']);
    expect(await uncounted(db, b.ids), 'after delivery').to.equal(false);
    await expectSameAsLedger();
  });

  it('when the rebuild functions recount everything, then they find the very rows the batched moves kept, and the chains are whole', async () => {
    const read = async () => ({
      onTime: (await db.query(`SELECT issued_month::text, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time FROM figure_on_time_months WHERE copies <> 0 ORDER BY 1, 2`)).rows,
      copies: (await db.query(`SELECT * FROM figure_copies ORDER BY dispatch_id`)).rows,
      outcomes: (await db.query(`SELECT issued_on::text, sender, copies, delivered, paper, failed, signed, pipeline_failed, documents FROM figure_outcomes WHERE documents <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`)).rows,
      documents: (await db.query(`SELECT * FROM figure_documents ORDER BY document_id, sender`)).rows,
    });
    const kept = await read();
    expect(kept.copies.length).to.be.greaterThan(20);
    await db.query(`SELECT lt_figures_rebuild()`);
    await db.query(`SELECT lt_on_time_rebuild()`);
    expect(await read()).to.deep.equal(kept);
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });
});
