import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { Stage, type DeliverJob } from '../../../contracts';
import { dispatchCommand } from '../../../services/cli/commands/dispatch.command';
import { loadConfig } from '../../../services/config/config';
import { createPool, inTransaction, type Db } from '../../../services/db/pool';
import { RoundTripCounter } from '../../../services/db/round-trips';
import { retryDispatches } from '../../../services/domain/dispatches/retry-dispatch';
import { revokeDocument } from '../../../services/domain/documents/revoke-document';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { logger } from '../../../services/logging/logger';
import type { StageContext } from '../../../workers/runtime/stage-context';
import { deliverStage } from '../../../workers/stages/deliver.job';
import { acceptTestDocument, routeTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { testEnv } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

/**
 * Issue 25: a document's hosted copies are delivered by ONE deliver job ({documentId, hosted: true},
 * written by the route stage) and ONE statement (record_hosted_outcomes(), migration 0089), whose
 * ledger rows are appended in recipient order under one acquisition of the sender's chain lock.
 * Every per-copy truth of the old one-job-per-copy delivery must still hold.
 */
describe('deliver: a document\'s hosted copies in one job and one statement', function () {
  this.timeout(180_000);
  let db: Db;
  let counted: { db: Db; roundTrips: RoundTripCounter };
  let ctx: StageContext;
  let sender: TestAgency;
  let pushSender: TestAgency;
  let recipients: TestAgency[];
  let listener: pg.Client;
  const notified: string[] = [];

  let issued = 0;
  /** A routed document (the route stage's own statement) to `to`; its id and dispatch ids in recipient order. */
  async function routed(to: TestAgency[] = recipients, from: TestAgency = sender): Promise<{ documentId: string; ids: string[] }> {
    issued++;
    const { documentId } = await inTransaction(db, (tx) =>
      acceptTestDocument(tx, { sender: from.code, recipients: to.map((r) => r.code), number: String(issued).padStart(3, '0') }),
    );
    await routeTestDocument(db, documentId);
    const ids = (await db.query(`SELECT id FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [documentId])).rows.map((r) => r.id as string);
    return { documentId, ids };
  }

  /** Everything a delivery writes, per copy, in recipient order. */
  async function footprint(documentId: string) {
    return (
      await db.query(
        `SELECT x.id, x.status, x.delivered_at AS "deliveredAt", x.last_error AS "lastError",
                (SELECT array_agg(e.code || ':' || COALESCE(e.note, '') ORDER BY e.id) FROM dispatch_events e WHERE e.dispatch_id = x.id) AS events,
                (SELECT array_agg(l.kind ORDER BY l.id) FROM ledger l WHERE l.dispatch_id = x.id) AS ledger
           FROM dispatches x WHERE x.document_id = $1 ORDER BY x.recipient_code`,
        [documentId],
      )
    ).rows;
  }

  async function settle(): Promise<void> {
    const probe = `probe-${randomUUID()}`;
    await db.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [probe]);
    for (let i = 0; i < 250 && !notified.includes(probe); i++) await new Promise((r) => setTimeout(r, 20));
    expect(notified).to.include(probe);
  }
  /** The copies' NOTIFYs of a document (the document's own status moves are NOTIFYed too, without a dispatchId). */
  const copyNotifies = (documentId: string) => notified.filter((n) => n.includes(documentId) && n.includes('"dispatchId"'));
  const notifiesOf = (documentId: string) => copyNotifies(documentId).map((n) => JSON.parse(n));

  async function chainIsWhole(): Promise<void> {
    const v = await verifyLedger(db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  }

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 10 });
    const roundTrips = new RoundTripCounter();
    counted = { db: createPool(testEnv().databaseUrl, { max: 4, roundTrips }), roundTrips };
    const agencies = await createAgencies(db, 6, { withCertificates: false });
    sender = agencies[0]!;
    pushSender = agencies[1]!;
    recipients = agencies.slice(2);
    // A sender whose own system takes pushes is owed an arrival webhook per copy.
    await db.query(`UPDATE agencies SET channel = 'push', endpoint_url = 'https://qlvb.example.gov.vn/in' WHERE code = $1`, [pushSender.code]);
    const log = logger('test-deliver-hosted');
    log.level = 'silent'; // the final-failure path logs an ALERT on purpose
    ctx = { db, config: loadConfig(), log, attempt: 1, lastAttempt: false };
    listener = new pg.Client({ connectionString: testEnv().databaseUrl });
    await listener.connect();
    listener.on('notification', (n) => notified.push(n.payload ?? ''));
    await listener.query('LISTEN lienthong_dispatch');
  });
  after(async () => {
    await listener.end();
    await counted.db.end();
    await db.end();
  });

  it('when a document to four hosted recipients is routed, then ONE deliver job delivers all four in one statement, ledger rows in recipient order from one transaction, one 01 and one NOTIFY each', async () => {
    const { documentId, ids } = await routed();
    const jobs = (await db.query(`SELECT payload, priority FROM outbox WHERE topic = $1 AND payload->>'documentId' = $2 ORDER BY id`, [Stage.deliver, documentId])).rows;
    expect(jobs.map((j) => j.payload)).to.deep.equal([{ documentId, hosted: true }]);

    const statements = await counted.roundTrips.during(() => deliverStage.run(jobs[0].payload as DeliverJob, { ...ctx, db: counted.db }));
    expect(statements, statements.join('\n---\n')).to.have.length(1);
    await settle();
    const after = await footprint(documentId);
    expect(after.map((x) => [x.id, x.status, x.events, x.ledger, x.lastError])).to.deep.equal(
      ids.map((id) => [id, 'delivered', ['01:'], ['dispatch_delivered'], null]),
    );
    for (const x of after) expect(x.deliveredAt).to.be.instanceOf(Date);
    expect(copyNotifies(documentId), 'the exact payloads, in recipient order').to.deep.equal(ids.map((dispatchId) => JSON.stringify({ dispatchId, documentId, status: 'delivered' })));

    // The chain: the four rows follow each other (consecutive ids, each linked to the one before),
    // in recipient order, at one `at` — appended in one transaction, under one lock acquisition.
    const rows = (
      await db.query(`SELECT id, dispatch_id AS "dispatchId", recipient, channel, detail, at, prev_hash AS "prevHash", hash FROM ledger WHERE chain = $1 ORDER BY id`, [sender.code])
    ).rows;
    const mine = rows.filter((r) => ids.includes(r.dispatchId));
    expect(mine.map((r) => r.dispatchId)).to.deep.equal(ids);
    expect(mine.map((r) => r.recipient)).to.deep.equal(recipients.map((r) => r.code).sort());
    expect(mine.map((r) => [r.channel, r.detail])).to.deep.equal(ids.map(() => ['hosted', {}]));
    for (let i = 1; i < mine.length; i++) {
      expect(Number(mine[i].id)).to.equal(Number(mine[i - 1].id) + 1);
      expect(mine[i].prevHash).to.equal(mine[i - 1].hash);
      expect(mine[i].at.getTime()).to.equal(mine[0].at.getTime());
    }
    const first = rows.findIndex((r) => r.dispatchId === ids[0]);
    expect(mine[0].prevHash, 'the first links to the chain\'s previous tail').to.equal(first > 0 ? rows[first - 1].hash : '0'.repeat(64));
    await chainIsWhole();
  });

  it('when the hosted job runs again (a re-run, or four at once), then nothing more is written', async () => {
    const { documentId } = await routed();
    await Promise.all(Array.from({ length: 4 }, () => deliverStage.run({ documentId, hosted: true }, ctx)));
    await settle();
    const once = await footprint(documentId);
    expect(once.map((x) => [x.status, x.events, x.ledger])).to.deep.equal(recipients.map(() => ['delivered', ['01:'], ['dispatch_delivered']]));
    expect(notifiesOf(documentId)).to.have.length(recipients.length);
    await deliverStage.run({ documentId, hosted: true }, ctx);
    await settle();
    expect(await footprint(documentId)).to.deep.equal(once);
    expect(notifiesOf(documentId)).to.have.length(recipients.length);
    await chainIsWhole();
  });

  it('when some copies are on other channels, then route writes the hosted job plus one job per other copy, and the hosted job leaves those copies alone', async () => {
    const { documentId, ids } = await routed();
    // Before routing: an agency of the list moved to paper. Re-route a fresh document to see the jobs.
    await db.query(`UPDATE agencies SET channel = 'paper' WHERE code = $1`, [recipients[3]!.code]);
    try {
      const mixed = await routed();
      const jobs = (await db.query(`SELECT payload FROM outbox WHERE topic = $1 AND payload->>'documentId' = $2 ORDER BY id`, [Stage.deliver, mixed.documentId])).rows;
      expect(jobs.map((j) => j.payload)).to.deep.equal([{ documentId: mixed.documentId, hosted: true }, { documentId: mixed.documentId, dispatchId: mixed.ids[3] }]);
      await deliverStage.run({ documentId: mixed.documentId, hosted: true }, ctx);
      const after = await footprint(mixed.documentId);
      expect(after.map((x) => x.status)).to.deep.equal(['delivered', 'delivered', 'delivered', 'pending']);
    } finally {
      await db.query(`UPDATE agencies SET channel = 'hosted' WHERE code = $1`, [recipients[3]!.code]);
    }
    // A copy delivered by its own job before the document's job ran is not delivered twice.
    await deliverStage.run({ documentId, dispatchId: ids[1]! }, ctx);
    await deliverStage.run({ documentId, hosted: true }, ctx);
    expect((await footprint(documentId)).map((x) => [x.status, x.ledger])).to.deep.equal(recipients.map(() => ['delivered', ['dispatch_delivered']]));
    await chainIsWhole();
  });

  it('when the document is revoked before or while its hosted job runs, then no copy is left delivered after the revoke and the chain stays whole', async () => {
    const before = await routed();
    await inTransaction(db, (tx) => revokeDocument(tx, sender.code, before.documentId, 'gửi nhầm', 'test'));
    await deliverStage.run({ documentId: before.documentId, hosted: true }, ctx);
    const b = await footprint(before.documentId);
    expect(b.map((x) => [x.status, x.deliveredAt, x.ledger])).to.deep.equal(recipients.map(() => ['revoked', null, ['dispatch_revoked']]));

    // At the same moment: the revoke runs wholly before or wholly after the delivery statement.
    for (let round = 0; round < 3; round++) {
      const race = await routed();
      await Promise.all([
        deliverStage.run({ documentId: race.documentId, hosted: true }, ctx),
        inTransaction(db, (tx) => revokeDocument(tx, sender.code, race.documentId, 'thu hồi', 'test')),
      ]);
      const after = await footprint(race.documentId);
      for (const x of after) {
        expect(x.status).to.equal('revoked');
        // Either delivered then revoked (both rows, in that order) or revoked only.
        expect([['dispatch_revoked'], ['dispatch_delivered', 'dispatch_revoked']]).to.deep.include(x.ledger);
      }
      expect(new Set(after.map((x) => x.ledger.length)).size, 'all copies on one side of the revoke').to.equal(1);
    }
    await chainIsWhole();
  });

  it('when the hosted job fails for good, then every still-open hosted copy is failed with its event, NOTIFY and ledger row, once; a delivered copy is left alone', async () => {
    const { documentId, ids } = await routed();
    await deliverStage.run({ documentId, dispatchId: ids[0]! }, ctx);
    await deliverStage.onFinalFailure({ documentId, hosted: true }, new Error('cơ sở dữ liệu không trả lời'), ctx);
    await deliverStage.onFinalFailure({ documentId, hosted: true }, new Error('cơ sở dữ liệu không trả lời'), ctx);
    await settle();
    const after = await footprint(documentId);
    expect(after.map((x) => [x.status, x.events, x.ledger, x.lastError])).to.deep.equal([
      ['delivered', ['01:'], ['dispatch_delivered'], null],
      ...ids.slice(1).map(() => ['failed', ['failed:cơ sở dữ liệu không trả lời'], ['dispatch_failed'], 'cơ sở dữ liệu không trả lời']),
    ]);
    expect(notifiesOf(documentId)).to.deep.equal([
      { dispatchId: ids[0], documentId, status: 'delivered' },
      ...ids.slice(1).map((dispatchId) => ({ dispatchId, documentId, status: 'failed' })),
    ]);
    // A delivery that runs after the failure changes nothing.
    await deliverStage.run({ documentId, hosted: true }, ctx);
    expect(await footprint(documentId)).to.deep.equal(after);
    await chainIsWhole();
  });

  it('when a copy fails a second time (its first failure is in the ledger already), then its row is skipped and the next row links to the last one written: the chain stays whole', async () => {
    const { documentId, ids } = await routed();
    // The second copy failed alone once (its own job), and the operator reopened it (a retry).
    await deliverStage.onFinalFailure({ documentId, dispatchId: ids[1]! }, new Error('lần một'), ctx);
    await retryDispatches(db, [ids[1]!], 'operator:test', async () => undefined);
    await db.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    // Now the document's hosted job fails for good: four copies open, the second already has its dispatch_failed row.
    await deliverStage.onFinalFailure({ documentId, hosted: true }, new Error('lần hai'), ctx);
    const after = await footprint(documentId);
    expect(after.map((x) => [x.status, x.ledger, x.lastError])).to.deep.equal(ids.map(() => ['failed', ['dispatch_failed'], 'lần hai']));
    const rows = (await db.query(`SELECT dispatch_id AS "dispatchId", prev_hash AS "prevHash", hash, detail FROM ledger WHERE chain = $1 ORDER BY id`, [sender.code])).rows;
    const last = rows.slice(-3);
    expect(last.map((r) => r.dispatchId), 'the second copy\'s row skipped').to.deep.equal([ids[0], ids[2], ids[3]]);
    expect(last[1].prevHash, 'the third links to the first, the last row written').to.equal(last[0].hash);
    await chainIsWhole();
    // The next append to the chain still links to its true tail.
    const next = await routed();
    await deliverStage.run({ documentId: next.documentId, hosted: true }, ctx);
    await chainIsWhole();
  });

  it('when a push sender\'s hosted copies arrive, then each copy\'s arrival webhook is owed (one notify job per 01)', async () => {
    const { documentId, ids } = await routed(recipients, pushSender);
    await deliverStage.run({ documentId, hosted: true }, ctx);
    const owed = (
      await db.query(
        `SELECT e.dispatch_id AS "dispatchId" FROM outbox o JOIN dispatch_events e ON e.id = (o.payload->>'eventId')::bigint
          WHERE o.topic = $1 AND e.dispatch_id = ANY($2::uuid[]) ORDER BY o.id`,
        [Stage.notify, ids],
      )
    ).rows.map((r) => r.dispatchId);
    expect(owed).to.deep.equal(ids);
    await db.query(`UPDATE outbox SET published_at = now() WHERE topic = $1 AND published_at IS NULL`, [Stage.notify]);
  });

  it('when one failed hosted copy is retried by the operator (lienthong dispatch retry), then the workers deliver that copy alone, again, and the chain stays whole', async () => {
    const { documentId, ids } = await routed();
    // Nothing of this document for the worker yet: its hosted job fails for good (as after its retries).
    await db.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    await deliverStage.onFinalFailure({ documentId, hosted: true }, new Error('hết thời gian thử lại'), ctx);
    expect((await footprint(documentId)).map((x) => x.status)).to.deep.equal(recipients.map(() => 'failed'));

    // The retry removes both stale job records a hosted copy can have, and publishes the copy's own job.
    const removed: string[] = [];
    const retriedDirect = await retryDispatches(db, [ids[0]!], 'operator:test', async (stage, jobId) => void removed.push(`${stage}:${jobId}`));
    expect(retriedDirect).to.deep.equal([ids[0]]);
    expect(removed).to.deep.equal([`deliver:deliver-${ids[0]}`, `deliver:deliver-hosted-${documentId}`]);
    const job = (await db.query(`SELECT payload FROM outbox WHERE topic = $1 AND published_at IS NULL AND payload->>'documentId' = $2`, [Stage.deliver, documentId])).rows;
    expect(job.map((j) => j.payload)).to.deep.equal([{ documentId, dispatchId: ids[0] }]);

    // The same through the CLI, with the real worker process running the job.
    const worker = spawnWorker({ LIENTHONG_SWEEP_INTERVAL_MS: '3600000' });
    try {
      await waitFor('the first retried copy delivered', async () => (await footprint(documentId))[0]!.status === 'delivered', { timeoutMs: 90_000 });
      const out: unknown[] = [];
      const code = await dispatchCommand(['retry', ids[2]!], { db, config: loadConfig(), json: true, out: (v) => void out.push(v) });
      expect(code).to.equal(0);
      expect(out).to.deep.equal([{ retried: [ids[2]] }]);
      await waitFor('the second retried copy delivered', async () => (await footprint(documentId))[2]!.status === 'delivered', { timeoutMs: 90_000 });
    } finally {
      await worker.stop();
    }
    const after = await footprint(documentId);
    expect(after.map((x) => [x.status, x.ledger])).to.deep.equal([
      ['delivered', ['dispatch_failed', 'dispatch_delivered']],
      ['failed', ['dispatch_failed']],
      ['delivered', ['dispatch_failed', 'dispatch_delivered']],
      ['failed', ['dispatch_failed']],
    ]);
    expect(after[0]!.events).to.deep.equal(['failed:hết thời gian thử lại', 'retry:', '01:']);
    await chainIsWhole();
  });
});
