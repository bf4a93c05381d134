import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { DispatchStatus, LedgerKind } from '../../../contracts';
import { recordDispatchOutcome } from '../../../services/domain/dispatches/dispatch.repository';
import { loadConfig } from '../../../services/config/config';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { logger } from '../../../services/logging/logger';
import { deliverStage } from '../../../workers/stages/deliver.job';
import type { StageContext } from '../../../workers/runtime/stage-context';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { testEnv } from '../../support/test-env';
import { acceptTestDocument, routeTestDocument } from '../../support/accepted-document.fixture';

/**
 * The deliver stage's outcome is one statement (record_dispatch_outcome()), run in autocommit.
 * These call the stage directly (no queue) on documents made routed by hand, to check what that
 * statement writes: once, and nothing on a re-run.
 */
describe('deliver: the outcome in one statement — written once, and a re-run writes nothing', function () {
  this.timeout(120_000);
  let db: Db;
  let ctx: StageContext;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let listener: pg.Client;
  const notified: string[] = [];

  /** A routed document to every recipient on the hosted channel; returns its id and its dispatch ids by recipient. */
  let issued = 0;
  async function routedDocument(): Promise<{ documentId: string; dispatches: Map<string, string> }> {
    issued++;
    const { documentId } = await inTransaction(db, (tx) =>
      acceptTestDocument(tx, {
        sender: sender.code,
        recipients: recipients.map((r) => r.code),
        number: String(issued).padStart(2, '0'),
        subject: 'Về việc thử "một lần" \\ giao',
      }),
    );
    // The recipients are hosted agencies: the route stage's statement puts every copy on 'hosted'.
    await routeTestDocument(db, documentId);
    const rows = (await db.query(`SELECT id, recipient_code FROM dispatches WHERE document_id = $1`, [documentId])).rows;
    return { documentId, dispatches: new Map(rows.map((r) => [r.recipient_code, r.id])) };
  }

  async function tally(dispatchId: string) {
    const r = await db.query(
      `SELECT x.status, x.delivered_at AS "deliveredAt", x.last_error AS "lastError",
              (SELECT count(*)::int FROM dispatch_events e WHERE e.dispatch_id = x.id) AS events,
              (SELECT array_agg(e.code ORDER BY e.id) FROM dispatch_events e WHERE e.dispatch_id = x.id) AS codes,
              (SELECT count(*)::int FROM ledger l WHERE l.dispatch_id = x.id) AS ledger
         FROM dispatches x WHERE x.id = $1`,
      [dispatchId],
    );
    return r.rows[0];
  }

  /** Lets notifications in flight arrive: a NOTIFY sent after ours would come after it. */
  async function settle(): Promise<void> {
    const probe = `probe-${randomUUID()}`;
    await db.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [probe]);
    for (let i = 0; i < 100 && !notified.includes(probe); i++) await new Promise((r) => setTimeout(r, 20));
    expect(notified).to.include(probe);
  }

  const notifiesOf = (dispatchId: string) => notified.filter((n) => n.includes(dispatchId));

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 10 });
    const agencies = await createAgencies(db, 4, { withCertificates: false });
    sender = agencies[0]!;
    recipients = agencies.slice(1);
    const log = logger('test-deliver');
    log.level = 'silent'; // onFinalFailure logs an ALERT on purpose
    ctx = { db, config: loadConfig(), log, attempt: 1, lastAttempt: false };
    listener = new pg.Client({ connectionString: testEnv().databaseUrl });
    await listener.connect();
    listener.on('notification', (n) => notified.push(n.payload ?? ''));
    await listener.query('LISTEN lienthong_dispatch');
  });
  after(async () => {
    await listener.end();
    await db.end();
  });

  it('when a hosted copy is delivered, then the status, delivered_at, the 01 event, the exact NOTIFY payload and one ledger row are written together', async () => {
    const { documentId, dispatches } = await routedDocument();
    const dispatchId = dispatches.get(recipients[0]!.code)!;
    await db.query(`UPDATE dispatches SET last_error = 'an earlier try failed' WHERE id = $1`, [dispatchId]);
    await deliverStage.run({ documentId, dispatchId }, ctx);
    await settle();
    const t = await tally(dispatchId);
    expect(t).to.include({ status: DispatchStatus.delivered, events: 1, ledger: 1, lastError: null });
    expect(t.codes).to.deep.equal(['01']);
    expect(t.deliveredAt).to.be.instanceOf(Date);
    expect(notifiesOf(dispatchId)).to.deep.equal([JSON.stringify({ dispatchId, documentId, status: 'delivered' })]);
    const row = (await db.query(`SELECT kind, document_id::text, sender, recipient, channel, detail, chain FROM ledger WHERE dispatch_id = $1`, [dispatchId])).rows[0];
    expect(row).to.deep.equal({
      kind: 'dispatch_delivered',
      document_id: documentId,
      sender: sender.code,
      recipient: recipients[0]!.code,
      channel: 'hosted',
      detail: {},
      chain: sender.code,
    });
    // The copy is in the recipient's inbox.
    const inbox = (await db.query(`SELECT count(*)::int AS n FROM dispatches WHERE recipient_code = $1 AND delivered_at IS NOT NULL`, [recipients[0]!.code])).rows[0].n;
    expect(inbox).to.equal(1);
  });

  it('when an already delivered dispatch is delivered again (a re-run), then no second ledger row, event or NOTIFY is written and nothing moves', async () => {
    const { documentId, dispatches } = await routedDocument();
    const dispatchId = dispatches.get(recipients[1]!.code)!;
    await deliverStage.run({ documentId, dispatchId }, ctx);
    const before = await tally(dispatchId);
    await settle();
    const notifiesBefore = notifiesOf(dispatchId).length;
    await deliverStage.run({ documentId, dispatchId }, ctx);
    // Even if the early status check is passed (a re-run racing the first run), the statement's CAS holds.
    const moved = await recordDispatchOutcome(db, {
      dispatchId,
      from: [DispatchStatus.pending, DispatchStatus.delivering],
      to: DispatchStatus.delivered,
      delivered: true,
      event: { code: '01', actor: 'lienthong' },
      notify: JSON.stringify({ dispatchId, documentId, status: 'delivered' }),
      ledger: { kind: LedgerKind.dispatchDelivered, documentId, sender: sender.code, recipient: recipients[1]!.code, channel: 'hosted' },
    });
    expect(moved).to.equal(false);
    await settle();
    expect(await tally(dispatchId)).to.deep.equal(before);
    expect(before).to.include({ events: 1, ledger: 1 });
    expect(notifiesOf(dispatchId).length).to.equal(notifiesBefore).and.to.equal(1);
  });

  it('when the same dispatch is delivered by several runs at once, then exactly one of them records it', async () => {
    const { documentId, dispatches } = await routedDocument();
    const ids = [...dispatches.values()];
    await Promise.all(ids.flatMap((dispatchId) => Array.from({ length: 4 }, () => deliverStage.run({ documentId, dispatchId }, ctx))));
    await settle();
    for (const dispatchId of ids) {
      expect(await tally(dispatchId), dispatchId).to.include({ status: DispatchStatus.delivered, events: 1, ledger: 1 });
      expect(notifiesOf(dispatchId).length).to.equal(1);
    }
    const chain = (await db.query(`SELECT prev_hash, hash FROM ledger WHERE chain = $1 ORDER BY id`, [sender.code])).rows;
    for (let i = 1; i < chain.length; i++) expect(chain[i].prev_hash).to.equal(chain[i - 1].hash);
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });

  it('when a dispatch was revoked before its delivery ran, then the delivery writes nothing', async () => {
    const { documentId, dispatches } = await routedDocument();
    const dispatchId = dispatches.get(recipients[2]!.code)!;
    await db.query(`UPDATE dispatches SET status = 'revoked' WHERE id = $1`, [dispatchId]);
    await deliverStage.run({ documentId, dispatchId }, ctx);
    await settle();
    expect(await tally(dispatchId)).to.include({ status: 'revoked', events: 0, ledger: 0, deliveredAt: null });
    expect(notifiesOf(dispatchId)).to.deep.equal([]);
  });

  it('when a delivery fails for good, then the dispatch is failed with its event and ledger row, once', async () => {
    const { documentId, dispatches } = await routedDocument();
    const dispatchId = dispatches.get(recipients[2]!.code)!;
    // A push copy whose last attempt had scheduled another one.
    await db.query(`UPDATE dispatches SET status = 'delivering', next_attempt_at = now() + interval '1 minute' WHERE id = $1`, [dispatchId]);
    await deliverStage.onFinalFailure({ documentId, dispatchId }, new Error('endpoint gone'), ctx);
    await deliverStage.onFinalFailure({ documentId, dispatchId }, new Error('endpoint gone'), ctx);
    const t = await tally(dispatchId);
    expect(t).to.include({ status: DispatchStatus.failed, events: 1, ledger: 1, lastError: 'endpoint gone' });
    expect(t.codes).to.deep.equal(['failed']);
    // The same statement as a success (record_dispatch_outcome): the note, no next attempt, one NOTIFY.
    const x = (await db.query(`SELECT x.next_attempt_at AS "nextAttemptAt", e.note, e.actor FROM dispatches x JOIN dispatch_events e ON e.dispatch_id = x.id WHERE x.id = $1`, [dispatchId])).rows[0];
    expect(x).to.deep.equal({ nextAttemptAt: null, note: 'endpoint gone', actor: 'lienthong' });
    await settle();
    expect(notifiesOf(dispatchId).map((n) => JSON.parse(n))).to.deep.equal([{ dispatchId, documentId, status: 'failed' }]);
    const row = (await db.query(`SELECT kind, sender, recipient, chain FROM ledger WHERE dispatch_id = $1`, [dispatchId])).rows[0];
    expect(row).to.deep.equal({ kind: 'dispatch_failed', sender: sender.code, recipient: recipients[2]!.code, chain: sender.code });
    // A delivery that runs after the failure changes nothing.
    await deliverStage.run({ documentId, dispatchId }, ctx);
    expect(await tally(dispatchId)).to.deep.equal(t);
    expect((await verifyLedger(db)).ok).to.equal(true);
  });
});
