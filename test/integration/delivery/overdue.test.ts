import { expect } from 'chai';
import { overdueReason } from '../../../services/domain/dispatches/overdue';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

/** An instant given in Vietnam time. */
const vn = (local: string) => new Date(`${local}+07:00`);
type Facts = Parameters<typeof overdueReason>[1];
const open = (arrivedAt: Date, extra: Partial<Facts> = {}): Facts => ({
  status: 'delivered',
  channel: 'hosted',
  arrivedAt,
  registeredAt: null,
  completedAt: null,
  dueOn: null,
  ...extra,
});

describe('overdue dispatches', function () {
  this.timeout(120_000);

  describe('the rule (the SQL function every caller uses, holidays from public_holidays)', () => {
    let gw: RunningGateway;
    before(async () => (gw = await startGateway()));
    after(async () => gw.close());
    const rule = (f: Facts, now: Date) => overdueReason(gw.db, f, now);

    it('when a copy that arrived on a Friday is not registered (03), then it becomes overdue when Monday ends, not before', async () => {
      const f = open(vn('2026-03-06T16:00:00'));
      expect(await rule(f, vn('2026-03-09T23:59:00'))).to.equal(null);
      expect(await rule(f, vn('2026-03-10T00:00:01'))).to.equal('not_registered');
      expect(await rule({ ...f, registeredAt: vn('2026-03-09T10:00:00'), status: 'accepted' }, vn('2026-03-10T00:00:01'))).to.equal(null);
    });
    it('when public holidays follow the arrival day, then they do not count as working days', async () => {
      // Wednesday 29 April; 30 April and 1 May are holidays, then a weekend: the next working day is Monday 4 May.
      const f = open(vn('2026-04-29T09:00:00'));
      expect(await rule(f, vn('2026-05-04T20:00:00'))).to.equal(null);
      expect(await rule(f, vn('2026-05-05T00:30:00'))).to.equal('not_registered');
    });
    it('when a copy arrives on the eve of Tết 2027, then the days of Tết loaded as data are skipped', async () => {
      // Thursday 4 February 2027; 5–11 February are Tết (with the weekend): the next working day is Friday 12 February.
      const f = open(vn('2027-02-04T15:00:00'));
      expect(await rule(f, vn('2027-02-12T12:00:00'))).to.equal(null);
      expect(await rule(f, vn('2027-02-13T00:00:01'))).to.equal('not_registered');
    });
    it('when registered but not completed by the deadline, then it is overdue as not completed; completed or closed copies never are', async () => {
      const reg = open(vn('2026-03-02T09:00:00'), { registeredAt: vn('2026-03-02T10:00:00'), status: 'accepted', dueOn: '2026-03-20' });
      expect(await rule(reg, vn('2026-03-20T23:00:00'))).to.equal(null);
      expect(await rule(reg, vn('2026-03-21T00:00:00'))).to.equal('not_completed');
      expect(await rule({ ...reg, completedAt: vn('2026-03-25T10:00:00'), status: 'completed' }, vn('2026-04-01T00:00:00'))).to.equal(null);
      expect(await rule(open(vn('2026-03-02T09:00:00'), { status: 'revoked' }), vn('2026-04-01T00:00:00'))).to.equal(null);
      expect(await rule(open(vn('2026-03-02T09:00:00'), { channel: 'paper', status: 'paper' }), vn('2026-04-01T00:00:00'))).to.equal(null);
    });
  });

  describe('through the API, with times set in the database', () => {
    let gw: RunningGateway;
    let sender: TestAgency;
    let recipients: TestAgency[];
    let documentId: string;
    const dispatchOf = new Map<string, string>();

    before(async () => {
      gw = await startGateway();
      [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
      recipients = await createAgencies(gw.db, 3, { withCertificates: false });
      const worker = spawnWorker();
      try {
        const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code), { dueOn: '2026-03-20' }), await makePdf(1)));
        documentId = posted.body.id;
        const rows = await waitFor('three deliveries', async () => {
          const r = await gw.db.query(`SELECT id, recipient_code AS code FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [documentId]);
          return r.rows.length === 3 ? r.rows : undefined;
        });
        for (const x of rows) dispatchOf.set(x.code, x.id);
      } finally {
        await worker.stop();
      }
      const [unacked, late, done] = recipients.map((r) => dispatchOf.get(r.code)!);
      // All sent and arrived on Friday 6 March 2026; two were registered (03) on Monday.
      await gw.db.query(`UPDATE dispatches SET created_at = $2, delivered_at = $2 WHERE document_id = $1`, [documentId, vn('2026-03-06T16:00:00')]);
      await gw.db.query(`UPDATE dispatches SET status = 'accepted' WHERE id = $1`, [late]);
      await gw.db.query(`INSERT INTO dispatch_events (dispatch_id, code, actor, at) SELECT unnest($1::uuid[]), '03', 'test', $2`, [[late, done], vn('2026-03-09T08:00:00')]);
      await gw.db.query(`UPDATE dispatches SET status = 'completed' WHERE id = $1`, [done]);
      await gw.db.query(`INSERT INTO dispatch_events (dispatch_id, code, actor, at) VALUES ($1, '06', 'test', $2)`, [done, vn('2026-03-18T10:00:00')]);
    });
    after(async () => gw.close());

    it('when a Friday dispatch was never registered, another never completed by its due date and a third completed, then the sender sees exactly the first two as overdue', async () => {
      const [unacked, late, done] = recipients.map((r) => r.code);
      const view = await getJson(gw.baseUrl, `/v1/documents/${documentId}`, sender.apiKey);
      const byRecipient = new Map<string, { overdue: boolean; overdueReason: string | null }>(view.body.dispatches.map((d: any) => [d.recipient, d]));
      expect(byRecipient.get(unacked!)).to.include({ overdue: true, overdueReason: 'not_registered' });
      expect(byRecipient.get(late!)).to.include({ overdue: true, overdueReason: 'not_completed' });
      expect(byRecipient.get(done!)).to.include({ overdue: false, overdueReason: null });

      const list = await getJson(gw.baseUrl, '/v1/outbox/overdue', sender.apiKey);
      expect(list.status).to.equal(200);
      const mine = list.body.items.filter((i: { documentId: string }) => i.documentId === documentId);
      expect(mine.map((i: any) => [i.recipient, i.reason]).sort()).to.deep.equal([[late, 'not_completed'], [unacked, 'not_registered']].sort());
      expect(mine[0]).to.include({ notation: 'CT-UBND', dueOn: '2026-03-20' });
      expect(mine[0].subject).to.be.a('string').and.not.empty;
      const stranger = await getJson(gw.baseUrl, '/v1/outbox/overdue', recipients[0]!.apiKey);
      expect(stranger.body.items.filter((i: { documentId: string }) => i.documentId === documentId)).to.deep.equal([]);
    });
  });
});
