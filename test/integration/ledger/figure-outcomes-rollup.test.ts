import { expect } from 'chai';
import { LedgerKind } from '../../../contracts';
import { inTransaction, type Db, type Tx } from '../../../services/db/pool';
import { moveDocumentStatus } from '../../../services/domain/documents/document.repository';
import { attachFile, putBlob } from '../../../services/domain/blobs/blob.repository';
import { appendLedger } from '../../../services/domain/ledger/ledger.repository';
import { computeEdocRate, computeEdocRatesOnly } from '../../../services/stats/edoc-rate';
import { createDatabaseRegistry } from '../../../services/metrics/database-metrics';
import { quarterBounds, quarterOfDay, vnDay } from '../../../services/stats/periods';
import { documentOutcomeTuples, type FigureScope, type GroupBy, type OutcomeTuple } from '../../../services/stats/edoc-rate.query';
import { documentOutcomeTuplesFromLedger } from '../../support/figures-oracle/edoc-rate.ledger-query';
import { onTimeByKeyFromEvents } from '../../support/figures-oracle/on-time.ledger-query';
import { onTimeByKey } from '../../../services/stats/on-time.query';
import { splitByMonths } from '../../../services/stats/month-split';
import { acceptTestDocument } from '../../support/accepted-document.fixture';
import type { TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { addDocuments, createScenarioAgencies, postPaperDispatches, SCENARIO_DOCUMENTS } from './scenario.fixture';

const sorted = (tuples: OutcomeTuple[]) => tuples.map((t) => JSON.stringify(t)).sort();

/**
 * The rate reads figure_outcomes (migration 0087), a count of documents per (issue day, sender,
 * outcome tuple) kept by triggers; the ledger query it replaced is kept (documentOutcomeTuplesFromLedger).
 * Here the two must return the very same tuples, after every kind of change the rate depends on,
 * over the whole database (every other test's documents too), by month, quarter and agency.
 */
describe('figure_outcomes, figure_on_time: the rate\'s rollups count exactly what the ledger and the copies say', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let db: Db;
  let agencies: TestAgency[];
  let members: string[];
  let ids: Record<string, string>;

  before(async () => {
    gw = await startGateway();
    db = gw.db;
    const s = await createScenarioAgencies(db);
    agencies = s.agencies;
    members = agencies.map((a) => a.code);
    ids = await addDocuments(db, agencies, SCENARIO_DOCUMENTS);
    await postPaperDispatches(gw.baseUrl, agencies);
  });
  after(async () => gw.close());

  async function expectSameAsLedger(): Promise<number> {
    let compared = 0;
    for (const groupBy of ['month', 'quarter', 'agency'] as GroupBy[]) {
      for (const scope of [
        { from: '2000-01-01', to: '2099-12-31', agencies: null },
        { from: '2026-07-01', to: '2026-12-31', agencies: members },
        { from: '2026-08-14', to: '2026-11-09', agencies: [members[0]!, members[1]!] },
        // No whole month: every day read copy by copy (0094).
        { from: '2026-07-10', to: '2026-08-20', agencies: null },
      ]) {
        const s: FigureScope = { ...scope, groupBy };
        const [rollup, ledger] = await Promise.all([documentOutcomeTuples(db, s), documentOutcomeTuplesFromLedger(db, s)]);
        expect(sorted(rollup), `${groupBy} ${JSON.stringify(scope)}`).to.deep.equal(sorted(ledger));
        compared += ledger.length;
        for (const asOf of [new Date(), new Date('2026-09-04T00:00:00+07:00'), new Date('2026-11-21T12:00:00+07:00')]) {
          const [days, events] = await Promise.all([onTimeByKey(db, s, asOf), onTimeByKeyFromEvents(db, s, asOf)]);
          expect([...days.entries()].sort(), `on time ${groupBy} ${JSON.stringify(scope)} at ${asOf.toISOString()}`).to.deep.equal([...events.entries()].sort());
        }
      }
    }
    return compared;
  }

  const outcome = (tx: Tx | Db, documentId: string, dispatchId: string, sender: string, recipient: string, kind: string) =>
    appendLedger(tx, { kind: kind as never, documentId, dispatchId, sender, recipient, channel: kind === LedgerKind.dispatchPaper ? 'paper' : 'hosted' });

  it('splits a range into whole months and its edge days (what 0094\'s month counts and the copies are read for)', () => {
    expect(splitByMonths('2025-01-01', '2025-12-31')).to.deep.equal({
      months: { from: '2025-01-01', to: '2025-12-31' }, head: { from: '2025-01-01', to: '2024-12-31' }, tail: { from: '2026-01-01', to: '2025-12-31' },
    });
    expect(splitByMonths('2026-08-14', '2026-11-09')).to.deep.equal({
      months: { from: '2026-09-01', to: '2026-10-31' }, head: { from: '2026-08-14', to: '2026-08-31' }, tail: { from: '2026-11-01', to: '2026-11-09' },
    });
    expect(splitByMonths('2026-07-10', '2026-08-20')).to.deep.include({ head: { from: '2026-07-10', to: '2026-07-31' }, tail: { from: '2026-08-01', to: '2026-08-20' } });
    expect(splitByMonths('2026-07-10', '2026-07-20')).to.deep.include({ head: { from: '2026-07-10', to: '2026-07-20' }, tail: { from: '2026-08-01', to: '2026-07-20' } });
    expect(splitByMonths('2026-12-01', '2026-12-20')).to.deep.include({ head: { from: '2026-12-01', to: '2026-11-30' }, tail: { from: '2026-12-01', to: '2026-12-20' } });
  });

  it('when the scenario is written (delivered, paper, failed then delivered, unsigned, pending, failed in the pipeline, paper records), then the rollup equals the ledger and the rate is the hand-worked one', async () => {
    expect(await expectSameAsLedger()).to.be.greaterThan(20);
    const r = await computeEdocRate(db, { from: '2026-07-01', to: '2026-12-31', filter: null, groupBy: 'quarter', asOf: new Date() });
    const mine = await computeEdocRate(db, { from: '2026-07-01', to: '2026-12-31', filter: members[0]!, groupBy: 'quarter', asOf: new Date() });
    expect(r.totals.total).to.be.greaterThanOrEqual(12);
    // A1 in the scenario: D1, D2, D6 electronic; D3 mixed; D7, P2 paper; D10 pending.
    expect(mine.totals).to.include({ electronic: 3, paper: 2, mixed: 1, pending: 1 });
  });

  it('when copies are revoked, a pending copy settles late, a failed document is retried, and a disposal removes the signed file, then the rollup follows the ledger', async () => {
    const docs = await db.query<{ id: string; name: string; dispatch_id: string; recipient_code: string; sender_code: string }>(
      `SELECT d.id, x.id AS dispatch_id, x.recipient_code, d.sender_code, d.subject AS name
         FROM documents d JOIN dispatches x ON x.document_id = d.id WHERE d.id = ANY($1::uuid[]) ORDER BY x.recipient_code`,
      [Object.values(ids)],
    );
    const of = (name: string) => docs.rows.filter((r) => r.id === ids[name]);
    // Revocations write no outcome: nothing moves (D6 stays electronic).
    for (const c of of('D6')) await appendLedger(db, { kind: LedgerKind.dispatchRevoked, documentId: c.id, dispatchId: c.dispatch_id, sender: c.sender_code, recipient: c.recipient_code });
    // D10's pending copy is delivered: pending → electronic.
    const d10 = of('D10')[0]!;
    await outcome(db, d10.id, d10.dispatch_id, d10.sender_code, d10.recipient_code, LedgerKind.dispatchDelivered);
    // D11 failed in the pipeline; retried, its copies go on paper: mixed → paper.
    await inTransaction(db, (tx) => moveDocumentStatus(tx, ids.D11!, 'failed', 'accepted'));
    for (const c of of('D11')) await outcome(db, c.id, c.dispatch_id, c.sender_code, c.recipient_code, LedgerKind.dispatchPaper);
    // D9 delivered unsigned (mixed), signed afterwards: electronic.
    await inTransaction(db, async (tx) => attachFile(tx, ids.D9!, 'signed', await putBlob(tx, Buffer.from(`%PDF-1.7 late ${ids.D9}`), 'application/pdf'), 'signed.pdf'));
    // D2 disposed: its files go (as disposal deletes them), electronic → mixed, as the ledger query says.
    await db.query(`DELETE FROM document_files WHERE document_id = $1`, [ids.D2]);
    // On time: D2's copy completed (06) the day after, D3's registered again (only the first 03
    // counts), D1's first copy gets the leader's deadline, D4's due date moves, D6's first copy
    // arrives again a day later (its delivered_at moves; no new outcome row).
    const ev = (c: { dispatch_id: string }, code: string, at: string) =>
      db.query(`INSERT INTO dispatch_events (dispatch_id, code, at, actor) VALUES ($1, $2, $3, 'test')`, [c.dispatch_id, code, at]);
    await ev(of('D2')[0]!, '06', '2026-08-04T15:00:00+07:00');
    await ev(of('D3')[0]!, '03', '2026-08-18T09:00:00+07:00');
    await ev(of('D3')[0]!, '03', '2026-08-14T10:00:00+07:00');
    const d1c = of('D1')[0]!;
    await db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, deadline_on) VALUES ($1, $2, 'assigned', '2026-07-09')`, [d1c.dispatch_id, d1c.recipient_code]);
    await db.query(`UPDATE documents SET due_on = '2026-09-20' WHERE id = $1`, [ids.D4]);
    await db.query(`UPDATE dispatches SET delivered_at = '2026-10-06T10:00:00+07:00' WHERE id = $1`, [of('D6')[0]!.dispatch_id]);
    // An outcome appended in a transaction that rolls back counts for nothing.
    const d1 = of('D1')[0]!;
    await inTransaction(db, async (tx) => {
      await outcome(tx, d1.id, d1.dispatch_id, d1.sender_code, d1.recipient_code, LedgerKind.dispatchFailed);
      throw new Error('rolled back');
    }).catch((err: Error) => expect(err.message).to.equal('rolled back'));

    const mine = await computeEdocRate(db, { from: '2026-07-01', to: '2026-12-31', filter: members[0]!, groupBy: 'quarter', asOf: new Date() });
    expect(mine.totals).to.include({ electronic: 3, paper: 2, mixed: 2, pending: 0 });
    const d11Sender = await computeEdocRate(db, { from: '2026-07-01', to: '2026-12-31', filter: members[3]!, groupBy: 'quarter', asOf: new Date() });
    expect(d11Sender.totals).to.include({ paper: 1, mixed: 0 });
    expect(await expectSameAsLedger()).to.be.greaterThan(20);
  });

  it('when many outcomes of the same senders and documents are appended at once, failures retried and some transactions rolled back, then the rollup equals the ledger', async () => {
    const made: { id: string; sender: string; copies: { dispatchId: string; recipient: string }[] }[] = [];
    for (let i = 0; i < 16; i++) {
      const sender = members[i % 4]!;
      const recipients = members.filter((m) => m !== sender);
      const { documentId, dispatchIds } = await inTransaction(db, async (tx) => {
        const d = await acceptTestDocument(tx, { sender, recipients, issuedOn: `2031-0${1 + (i % 3)}-1${i % 10}`, number: String(900 + i) });
        await appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: d.documentId, sender, detail: { number: String(900 + i), notation: 'UBND-VP', year: 2031, recipients: recipients.length } });
        if (i % 5 !== 0) await attachFile(tx, d.documentId, 'signed', await putBlob(tx, Buffer.from(`%PDF-1.7 c ${d.documentId}`), 'application/pdf'), 'signed.pdf');
        return d;
      });
      made.push({ id: documentId, sender, copies: dispatchIds.map((dispatchId, k) => ({ dispatchId, recipient: recipients[k]! })) });
    }
    let rolledBack = 0;
    await Promise.all(
      made.flatMap((d, i) =>
        d.copies.map(async (c, k) => {
          const n = i * 3 + k;
          if (n % 7 === 0) {
            await outcome(db, d.id, c.dispatchId, d.sender, c.recipient, LedgerKind.dispatchFailed);
            if (n % 2 === 0) await outcome(db, d.id, c.dispatchId, d.sender, c.recipient, LedgerKind.dispatchDelivered);
          } else if (n % 11 === 0) {
            await inTransaction(db, async (tx) => {
              await outcome(tx, d.id, c.dispatchId, d.sender, c.recipient, LedgerKind.dispatchDelivered);
              throw new Error('rolled back');
            }).catch(() => rolledBack++);
          } else {
            await outcome(db, d.id, c.dispatchId, d.sender, c.recipient, n % 5 === 0 ? LedgerKind.dispatchPaper : LedgerKind.dispatchDelivered);
          }
        }),
      ),
    );
    expect(rolledBack).to.be.greaterThan(0);
    const s: FigureScope = { from: '2031-01-01', to: '2031-12-31', agencies: members, groupBy: 'month' };
    const ledger = await documentOutcomeTuplesFromLedger(db, s);
    expect(ledger.reduce((n, t) => n + t.documents, 0)).to.equal(16);
    expect(sorted(await documentOutcomeTuples(db, s))).to.deep.equal(sorted(ledger));
    expect(await expectSameAsLedger()).to.be.greaterThan(20);
  });

  it('when documents are signed before their accept row, after it, after delivery, twice, and signed again after their signed files are removed, then the rollup (0106: signed moved alone) equals the ledger', async () => {
    const sender = members[1]!;
    const recipients = members.filter((m) => m !== sender);
    const sign = (tx: Tx | Db, id: string, n: number) => putBlob(tx, Buffer.from(`%PDF-1.7 0106 ${n} ${id}`), 'application/pdf').then((b) => attachFile(tx, id, 'signed', b, 'signed.pdf'));
    const accept = (tx: Tx, id: string, i: number) =>
      appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: id, sender, detail: { number: String(950 + i), notation: 'UBND-VP', year: 2033, recipients: recipients.length } });
    const made: { id: string; dispatchIds: string[] }[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(
        await inTransaction(db, async (tx) => {
          const d = await acceptTestDocument(tx, { sender, recipients, issuedOn: `2033-02-1${i}`, number: String(950 + i) });
          if (i === 0) await sign(tx, d.documentId, 1); // before the accept row: not counted yet, the accept row counts it
          await accept(tx, d.documentId, i);
          if (i === 1) await sign(tx, d.documentId, 1); // the pipeline's order
          return { id: d.documentId, dispatchIds: d.dispatchIds };
        }),
      );
    }
    const signedOf = async (id: string) => (await db.query<{ signed: boolean }>(`SELECT signed FROM figure_documents WHERE document_id = $1`, [id])).rows[0]?.signed;
    expect([await signedOf(made[0]!.id), await signedOf(made[1]!.id), await signedOf(made[2]!.id)]).to.deep.equal([true, true, false]);
    // Document 2: delivered unsigned, then signed (mixed → electronic), then a second signed file (no move).
    for (const [k, x] of made[2]!.dispatchIds.entries()) await outcome(db, made[2]!.id, x, sender, recipients[k]!, LedgerKind.dispatchDelivered);
    await inTransaction(db, (tx) => sign(tx, made[2]!.id, 1));
    await inTransaction(db, (tx) => sign(tx, made[2]!.id, 2));
    // Document 1: signed twice in one transaction, its signed files removed, then signed again.
    await inTransaction(db, (tx) => sign(tx, made[1]!.id, 2));
    await db.query(`DELETE FROM document_files WHERE document_id = $1 AND role = 'signed'`, [made[1]!.id]);
    expect(await signedOf(made[1]!.id)).to.equal(false);
    await inTransaction(db, (tx) => sign(tx, made[1]!.id, 3));
    // Document 3: signed by two transactions at once, each also appending an outcome of its own.
    await Promise.all(
      [0, 1].map((k) =>
        inTransaction(db, async (tx) => {
          await sign(tx, made[3]!.id, 10 + k);
          await outcome(tx, made[3]!.id, made[3]!.dispatchIds[k]!, sender, recipients[k]!, LedgerKind.dispatchDelivered);
        }),
      ),
    );
    expect(await signedOf(made[1]!.id)).to.equal(true);
    expect(await signedOf(made[2]!.id)).to.equal(true);
    expect(await signedOf(made[3]!.id)).to.equal(true);
    const s: FigureScope = { from: '2033-01-01', to: '2033-12-31', agencies: [sender], groupBy: 'month' };
    const ledger = await documentOutcomeTuplesFromLedger(db, s);
    expect(ledger.reduce((n, t) => n + t.documents, 0)).to.equal(4);
    expect(sorted(await documentOutcomeTuples(db, s))).to.deep.equal(sorted(ledger));
    // No tuple left counted below zero or twice.
    const bad = await db.query(`SELECT * FROM figure_outcomes WHERE sender = $1 AND issued_on >= '2033-01-01' AND documents < 0`, [sender]);
    expect(bad.rows).to.deep.equal([]);
    expect(await expectSameAsLedger()).to.be.greaterThan(20);
  });

  it('when copies are registered before arrival, late after a weekend, two months late, again earlier, completed with and without a deadline, and deadlines move, then the verdict-keyed rollup (0091) equals the events', async () => {
    // Issued Friday 2032-03-05, due the 10th: every copy arrives that Friday; registration is due by
    // the end of Monday the 8th. A holiday on Monday the 8th moves it to the end of Tuesday the 9th.
    const sender = members[0]!;
    const recipients = members.slice(1, 4);
    const { documentId, dispatchIds } = await inTransaction(db, async (tx) => {
      const d = await acceptTestDocument(tx, { sender, recipients, issuedOn: '2032-03-05', number: '7001', dueOn: '2032-03-10' });
      await appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: d.documentId, sender, detail: { number: '7001', notation: 'UBND-VP', year: 2032, recipients: 3 } });
      return d;
    });
    const undue = await inTransaction(db, async (tx) => acceptTestDocument(tx, { sender, recipients: [members[1]!], issuedOn: '2032-03-05', number: '7002' }));
    const [a, b, c] = dispatchIds as [string, string, string];
    const all = [a, b, c, undue.dispatchIds[0]!];
    await db.query(`UPDATE dispatches SET delivered_at = '2032-03-05T16:00:00+07:00' WHERE id = ANY($1::uuid[])`, [all]);
    for (const [k, x] of dispatchIds.entries()) await outcome(db, documentId, x, sender, recipients[k]!, LedgerKind.dispatchDelivered);
    await outcome(db, undue.documentId, undue.dispatchIds[0]!, sender, members[1]!, LedgerKind.dispatchDelivered);
    const ev = (x: string, code: string, at: string) => db.query(`INSERT INTO dispatch_events (dispatch_id, code, at, actor) VALUES ($1, $2, $3, 'test')`, [x, code, at]);
    const s: FigureScope = { from: '2032-01-01', to: '2032-12-31', agencies: null, groupBy: 'agency' };
    // Moments on both sides of deadlines: the registration's (end of Monday the 8th), the due day's (end of the 10th).
    const moments = ['2032-03-06T12:00:00+07:00', '2032-03-08T23:59:59.999+07:00', '2032-03-09T00:00:00+07:00', '2032-03-10T23:59:59.999+07:00', '2032-03-11T00:00:00+07:00', '2032-03-09T12:00:00+07:00', '2032-03-10T12:00:00+07:00', '2032-03-16T00:00:00+07:00', '2032-06-01T00:00:00+07:00'].map((t) => new Date(t));
    const same = async (step: string) => {
      // Whole months (month counts), a range inside one month and one with both edges (copy by copy).
      for (const range of [{}, { from: '2032-03-05', to: '2032-03-20' }, { from: '2032-02-15', to: '2032-04-10' }, { from: '2032-03-06', to: '2032-03-31' }]) {
        for (const groupBy of ['month', 'agency'] as GroupBy[]) {
          for (const asOf of moments) {
            const q = { ...s, ...range, groupBy };
            const [days, events] = await Promise.all([onTimeByKey(db, q, asOf), onTimeByKeyFromEvents(db, q, asOf)]);
            expect([...days.entries()].sort(), `${step}: ${groupBy} ${JSON.stringify(range)} at ${asOf.toISOString()}`).to.deep.equal([...events.entries()].sort());
          }
        }
      }
      return (await onTimeByKeyFromEvents(db, { ...s, groupBy: 'month' }, moments.at(-1)!)).get('2032-03')!;
    };
    await same('delivered');
    // a: registered the day before it arrived (as a copy re-delivered can be), then on Tuesday: on time.
    await ev(a, '03', '2032-03-04T09:00:00+07:00');
    await ev(a, '03', '2032-03-09T09:00:00+07:00');
    // b: registered Tuesday the 9th (late, the deadline is the end of Monday), then completed on the due day.
    await ev(b, '03', '2032-03-09T10:00:00+07:00');
    await ev(b, '06', '2032-03-10T23:00:00+07:00');
    // c: registered on Saturday, then an earlier 03 on the arrival day (its registration day moves, its key does not), completed late.
    await ev(c, '03', '2032-03-06T10:00:00+07:00');
    await ev(c, '03', '2032-03-05T20:00:00+07:00');
    await ev(c, '06', '2032-03-12T08:00:00+07:00');
    // The document without a deadline: registered two months after arrival, completed.
    await ev(undue.dispatchIds[0]!, '03', '2032-05-20T08:00:00+07:00');
    await ev(undue.dispatchIds[0]!, '06', '2032-05-21T08:00:00+07:00');
    const before = await same('registered and completed');
    expect(before).to.include({ acknowledged: 4, acknowledgedOnTime: 2, withDueDate: 3, completed: 2, completedOnTime: 1 });
    // Monday the 8th becomes a holiday: b's Tuesday registration is now on time (re-judged by the holidays' trigger, 0094).
    await db.query(`INSERT INTO public_holidays (day, name) VALUES ('2032-03-08', 'Nghỉ bù (thử)') ON CONFLICT DO NOTHING`);
    try {
      expect(await same('holiday added')).to.include({ acknowledgedOnTime: 3 });
    } finally {
      await db.query(`DELETE FROM public_holidays WHERE day = '2032-03-08'`);
    }
    expect(await same('holiday removed')).to.include({ acknowledgedOnTime: 2 });
    // The due date moves to the 12th (c now on time), then the leader gives a an earlier deadline (a is still open).
    await db.query(`UPDATE documents SET due_on = '2032-03-12' WHERE id = $1`, [documentId]);
    expect(await same('due date moved')).to.include({ completedOnTime: 2 });
    await db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, deadline_on) VALUES ($1, $2, 'assigned', '2032-03-07')`, [a, recipients[0]!]);
    await same('leader deadline');
    // a goes on paper afterwards: it no longer counts.
    await outcome(db, documentId, a, sender, recipients[0]!, LedgerKind.dispatchPaper);
    expect(await same('a on paper')).to.include({ acknowledged: 3 });
    // What the rollup keeps for these copies: each copy's verdict (figure_copies), one count row per issue month and recipient.
    const kept = await db.query<{ registered_in_time: boolean | null; n: number }>(
      `SELECT registered_in_time, count(*)::int AS n FROM figure_copies WHERE issued_on = '2032-03-05' GROUP BY 1 ORDER BY 1`,
    );
    expect(kept.rows).to.deep.equal([{ registered_in_time: false, n: 2 }, { registered_in_time: true, n: 1 }]);
    const months = await db.query<{ recipient: string; copies: number }>(
      `SELECT recipient, copies FROM figure_on_time_months WHERE issued_month = '2032-03-01' AND copies <> 0 ORDER BY 1`,
    );
    expect(months.rows.map((r) => r.copies)).to.deep.equal([1, 1, 1]);
  });

  it('when holidays are added, moved and removed after the fact, ranges start mid-month and moments pass open copies\' deadlines, then the month counts (0094) equal the events', async () => {
    // Issued Thursday 2033-04-14, due the 20th; copies arrive that day at 16:00: registration is due
    // by the end of Friday the 15th (a holiday on the 15th moves it to the end of Monday the 18th).
    // x registered Saturday the 16th, z Monday the 18th (both late, on time with that holiday), y not
    // registered; a second document issued 2033-05-31 (its copies arrive that day) for a month's edge.
    const sender = members[0]!;
    const recipients = members.slice(1, 4);
    const make = (issuedOn: string, number: string, dueOn: string) =>
      inTransaction(db, async (tx) => {
        const d = await acceptTestDocument(tx, { sender, recipients, issuedOn, number, dueOn });
        await appendLedger(tx, { kind: LedgerKind.documentAccepted, documentId: d.documentId, sender, detail: { number, notation: 'UBND-VP', year: 2033, recipients: 3 } });
        return d;
      });
    const first = await make('2033-04-14', '7101', '2033-04-20');
    const second = await make('2033-05-31', '7102', '2033-06-03');
    for (const [d, at] of [[first, '2033-04-14T16:00:00+07:00'], [second, '2033-05-31T09:00:00+07:00']] as const) {
      await db.query(`UPDATE dispatches SET delivered_at = $2 WHERE id = ANY($1::uuid[])`, [d.dispatchIds, at]);
      for (const [k, x] of d.dispatchIds.entries()) await outcome(db, d.documentId, x, sender, recipients[k]!, LedgerKind.dispatchDelivered);
    }
    const [x, y, z] = first.dispatchIds as [string, string, string];
    const ev = (id: string, code: string, at: string) => db.query(`INSERT INTO dispatch_events (dispatch_id, code, at, actor) VALUES ($1, $2, $3, 'test')`, [id, code, at]);
    await ev(x, '03', '2033-04-16T10:00:00+07:00');
    await ev(z, '03', '2033-04-18T10:00:00+07:00');
    await ev(z, '06', '2033-04-19T10:00:00+07:00');
    // Moments on both sides of y's registration deadline (end of the 15th; of the 18th with the holiday),
    // of the due day (end of the 20th), of the second document's (end of June 3rd), and long after (> 62 days).
    const moments = [
      '2033-04-15T23:59:59.999+07:00', '2033-04-16T00:00:00+07:00', '2033-04-18T23:59:59.999+07:00', '2033-04-19T00:00:00+07:00',
      '2033-04-20T23:59:59.999+07:00', '2033-04-21T00:00:00+07:00', '2033-06-03T12:00:00+07:00', '2033-06-04T00:00:00+07:00', '2033-09-01T00:00:00+07:00',
    ].map((t) => new Date(t));
    const ranges = [
      { from: '2033-01-01', to: '2033-12-31' },
      { from: '2033-04-14', to: '2033-05-31' }, // starts mid-month, whole May
      { from: '2033-04-10', to: '2033-04-20' }, // inside one month
      { from: '2033-03-15', to: '2033-06-30' }, // edges with no copies, two whole months
      { from: '2033-04-15', to: '2033-05-31' }, // the first document left out of its month: April read copy by copy
      { from: '2033-05-01', to: '2033-05-30' }, // the second document left out: May copy by copy (nothing)
      { from: '2033-04-01', to: '2033-04-14' }, // April's first days (whole until the second document moves to the 30th)
    ];
    const same = async (step: string) => {
      for (const range of ranges) {
        for (const groupBy of ['month', 'agency', 'quarter'] as GroupBy[]) {
          for (const asOf of moments) {
            const q: FigureScope = { ...range, agencies: null, groupBy };
            const [read, events] = await Promise.all([onTimeByKey(db, q, asOf), onTimeByKeyFromEvents(db, q, asOf)]);
            expect([...read.entries()].sort(), `${step}: ${groupBy} ${JSON.stringify(range)} at ${asOf.toISOString()}`).to.deep.equal([...events.entries()].sort());
          }
        }
      }
      return (await onTimeByKeyFromEvents(db, { from: '2033-04-01', to: '2033-04-30', agencies: null, groupBy: 'month' }, moments.at(-1)!)).get('2033-04')!;
    };
    const verdicts = async () =>
      (await db.query<{ v: boolean | null }>(`SELECT registered_in_time AS v FROM figure_copies WHERE dispatch_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], dispatch_id)`, [[x, y, z]])).rows.map((r) => r.v);
    const aprilCounts = async () =>
      (await db.query<{ n: number }>(`SELECT sum(registered_in_time)::int AS n FROM figure_on_time_months WHERE issued_month = '2033-04-01'`)).rows[0]!.n;

    expect(await same('registered late')).to.include({ dispatches: 3, acknowledged: 2, acknowledgedOnTime: 0 });
    expect(await verdicts()).to.deep.equal([false, null, false]);
    try {
      await db.query(`INSERT INTO public_holidays (day, name) VALUES ('2033-04-15', 'Nghỉ bù (thử)')`);
      expect(await verdicts(), 'holiday added: re-judged').to.deep.equal([true, null, true]);
      expect(await aprilCounts()).to.equal(2);
      expect(await same('holiday added')).to.include({ acknowledgedOnTime: 2 });
      // The holiday moves to the 19th: the deadline is the end of the 15th again.
      await db.query(`UPDATE public_holidays SET day = '2033-04-19' WHERE day = '2033-04-15'`);
      expect(await verdicts(), 'holiday moved').to.deep.equal([false, null, false]);
      expect(await same('holiday moved')).to.include({ acknowledgedOnTime: 0 });
      await db.query(`UPDATE public_holidays SET day = '2033-04-15' WHERE day = '2033-04-19'`);
      expect(await verdicts(), 'holiday moved back').to.deep.equal([true, null, true]);
      // Every day for two months after arrival off: no working day within 60 days, y's registration is
      // never due (the figures never judge it), x and z (registered 2 and 4 days after) are late.
      await db.query(
        `INSERT INTO public_holidays (day, name) SELECT g::date, 'Nghỉ dài (thử)' FROM generate_series('2033-04-16'::date, '2033-06-20'::date, interval '1 day') g ON CONFLICT DO NOTHING`,
      );
      expect(await verdicts(), 'no working day').to.deep.equal([false, null, false]);
      expect(await same('no working day within 60 days')).to.include({ dispatches: 2, acknowledgedOnTime: 0 });
    } finally {
      await db.query(`DELETE FROM public_holidays WHERE day BETWEEN '2033-04-15' AND '2033-06-20'`);
    }
    expect(await verdicts(), 'holidays removed').to.deep.equal([false, null, false]);
    expect(await aprilCounts()).to.equal(0);
    expect(await same('holidays removed')).to.include({ dispatches: 3, acknowledgedOnTime: 0, withDueDate: 3, completed: 1, completedOnTime: 1 });
    // y registered late after all; the second document's copy moved to April (its issue date changes): counts move between months.
    await ev(y, '03', '2033-04-25T10:00:00+07:00');
    await db.query(`UPDATE documents SET issued_on = '2033-04-30' WHERE id = $1`, [second.documentId]);
    expect(await same('registered, issue date moved')).to.include({ dispatches: 6, acknowledged: 3 });
  });

  it('when the backfills of migrations 0087 and 0088 (0091, 0094) rebuild the tables from the ledger and the copies, then they find the very rows the triggers kept', async () => {
    const read = async () => ({
      onTime: (await db.query(`SELECT issued_month::text, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time FROM figure_on_time_months WHERE copies <> 0 ORDER BY 1, 2`)).rows,
      copies: (await db.query(`SELECT * FROM figure_copies ORDER BY dispatch_id`)).rows,
      outcomes: (await db.query(`SELECT issued_on::text, sender, copies, delivered, paper, failed, signed, pipeline_failed, documents FROM figure_outcomes WHERE documents <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`)).rows,
      documents: (await db.query(`SELECT * FROM figure_documents ORDER BY document_id, sender`)).rows,
    });
    const kept = await read();
    expect(kept.documents.length).to.be.greaterThan(20);
    const rebuilt = await db.query<{ n: string }>(`SELECT lt_figures_rebuild() AS n`);
    expect(Number(rebuilt.rows[0]!.n)).to.equal(kept.documents.length);
    const rebuiltCopies = await db.query<{ n: string }>(`SELECT lt_on_time_rebuild() AS n`);
    expect(Number(rebuiltCopies.rows[0]!.n)).to.equal(kept.copies.length);
    expect(kept.copies.length).to.be.greaterThan(10);
    expect(await read()).to.deep.equal(kept);
    expect(await expectSameAsLedger()).to.be.greaterThan(20);
  });
  it('when the rates alone are asked (the /metrics gauge), then they are computeEdocRate\'s rates, and the gauge reads neither the copies nor the on-time rollup', async () => {
    let compared = 0;
    for (const groupBy of ['month', 'quarter', 'agency'] as GroupBy[]) {
      for (const [from, to] of [['2000-01-01', '2099-12-31'], ['2026-07-01', '2026-09-30'], ['2026-10-01', '2026-12-31'], ['2026-08-14', '2026-11-09']] as const) {
        const [full, only] = await Promise.all([computeEdocRate(db, { from, to, filter: null, groupBy, asOf: new Date() }), computeEdocRatesOnly(db, { from, to, groupBy })]);
        const withDocuments = full.groups.filter((g) => g.total > 0 || g.pending > 0).map((g) => [g.key, g.rate]);
        expect(only.groups, `${groupBy} ${from}..${to}`).to.deep.equal(withDocuments);
        expect(only.total).to.equal(full.totals.rate);
        compared += withDocuments.length;
      }
    }
    expect(compared).to.be.greaterThan(10);
    // Both channels in the scenario: the rates compared are not all 1 or all null.
    const q3 = await computeEdocRatesOnly(db, { from: '2026-07-01', to: '2026-12-31', groupBy: 'agency' });
    expect(q3.groups.some(([, r]) => r !== null && r < 1), JSON.stringify(q3)).to.equal(true);

    // Every statement the gauges send, through the pool or a client taken from it (figureQuery).
    const statements: string[] = [];
    const record = <T extends object>(target: T): T => new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t) as unknown;
        if (prop === 'query' && typeof value === 'function') {
          return (text: string | { text: string }, ...rest: unknown[]) => {
            statements.push(typeof text === 'string' ? text : text.text);
            return (value as (...a: unknown[]) => unknown).call(t, text, ...rest);
          };
        }
        if (prop === 'connect' && typeof value === 'function') {
          return async () => record(await (value as () => Promise<object>).call(t));
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
      },
    });
    const recording = record(db);
    const text = await createDatabaseRegistry(recording, { ttlMs: 0, rateTtlMs: 0 }).metrics();
    const gauge = new Map([...text.matchAll(/^lienthong_edoc_rate\{agency="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    const today = vnDay(new Date());
    const { year, quarter } = quarterOfDay(today);
    const expected = await computeEdocRate(db, { from: quarterBounds(year, quarter).from, to: today, filter: null, groupBy: 'agency', asOf: new Date() });
    const wanted = new Map(expected.groups.filter((g) => g.rate !== null).map((g) => [g.key, g.rate!]));
    if (expected.totals.rate !== null) wanted.set('province', expected.totals.rate);
    expect([...gauge].sort(), text.slice(0, 600)).to.deep.equal([...wanted].sort());
    expect(statements.length).to.be.greaterThan(0);
    expect(statements.filter((q) => /figure_copies|figure_on_time/.test(q))).to.deep.equal([]);
  });
});
