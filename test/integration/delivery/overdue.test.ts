import { expect } from 'chai';
import { overdueReason, type OverdueFacts } from '../../../services/domain/dispatches/overdue';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

/** An instant given in Vietnam time. */
const vn = (local: string) => new Date(`${local}+07:00`);
const HOLIDAYS = new Set(['2026-04-30', '2026-05-01']);
const open = (sentAt: Date, extra: Partial<OverdueFacts> = {}): OverdueFacts => ({
  status: 'delivered',
  channel: 'hosted',
  sentAt,
  acknowledgedAt: null,
  completedAt: null,
  dueOn: null,
  ...extra,
});

describe('overdue dispatches', function () {
  this.timeout(120_000);

  describe('the rule', () => {
    it('when a dispatch sent on a Friday has no 01, then it becomes overdue when Monday ends, not before', () => {
      const f = open(vn('2026-03-06T16:00:00'));
      expect(overdueReason(f, vn('2026-03-09T23:59:00'), HOLIDAYS)).to.equal(null);
      expect(overdueReason(f, vn('2026-03-10T00:00:01'), HOLIDAYS)).to.equal('not_acknowledged');
    });
    it('when public holidays follow the sending day, then they do not count as working days', () => {
      // Wednesday 29 April; 30 April and 1 May are holidays, then a weekend: the next working day is Monday 4 May.
      const f = open(vn('2026-04-29T09:00:00'));
      expect(overdueReason(f, vn('2026-05-04T20:00:00'), HOLIDAYS)).to.equal(null);
      expect(overdueReason(f, vn('2026-05-05T00:30:00'), HOLIDAYS)).to.equal('not_acknowledged');
    });
    it('when acknowledged but not completed by the due date, then it is overdue as not completed; completed or closed copies never are', () => {
      const acked = open(vn('2026-03-02T09:00:00'), { acknowledgedAt: vn('2026-03-02T10:00:00'), dueOn: '2026-03-20' });
      expect(overdueReason(acked, vn('2026-03-20T23:00:00'), HOLIDAYS)).to.equal(null);
      expect(overdueReason(acked, vn('2026-03-21T00:00:00'), HOLIDAYS)).to.equal('not_completed');
      expect(overdueReason({ ...acked, completedAt: vn('2026-03-25T10:00:00'), status: 'completed' }, vn('2026-04-01T00:00:00'), HOLIDAYS)).to.equal(null);
      expect(overdueReason(open(vn('2026-03-02T09:00:00'), { status: 'revoked' }), vn('2026-04-01T00:00:00'), HOLIDAYS)).to.equal(null);
      expect(overdueReason(open(vn('2026-03-02T09:00:00'), { channel: 'paper', status: 'paper' }), vn('2026-04-01T00:00:00'), HOLIDAYS)).to.equal(null);
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
      // All sent on Friday 6 March 2026.
      await gw.db.query(`UPDATE dispatches SET created_at = $2 WHERE document_id = $1`, [documentId, vn('2026-03-06T16:00:00')]);
      await gw.db.query(`DELETE FROM dispatch_events WHERE dispatch_id = $1`, [unacked]);
      await gw.db.query(`UPDATE dispatch_events SET at = $2 WHERE dispatch_id = ANY($1::uuid[]) AND code = '01'`, [[late, done], vn('2026-03-09T08:00:00')]);
      await gw.db.query(`UPDATE dispatches SET status = 'completed' WHERE id = $1`, [done]);
      await gw.db.query(`INSERT INTO dispatch_events (dispatch_id, code, actor, at) VALUES ($1, '06', 'test', $2)`, [done, vn('2026-03-18T10:00:00')]);
    });
    after(async () => gw.close());

    it('when a Friday dispatch was never acknowledged, another never completed by its due date and a third completed, then the sender sees exactly the first two as overdue', async () => {
      const [unacked, late, done] = recipients.map((r) => r.code);
      const view = await getJson(gw.baseUrl, `/v1/documents/${documentId}`, sender.apiKey);
      const byRecipient = new Map<string, { overdue: boolean; overdueReason: string | null }>(view.body.dispatches.map((d: any) => [d.recipient, d]));
      expect(byRecipient.get(unacked!)).to.include({ overdue: true, overdueReason: 'not_acknowledged' });
      expect(byRecipient.get(late!)).to.include({ overdue: true, overdueReason: 'not_completed' });
      expect(byRecipient.get(done!)).to.include({ overdue: false, overdueReason: null });

      const list = await getJson(gw.baseUrl, '/v1/outbox/overdue', sender.apiKey);
      expect(list.status).to.equal(200);
      const mine = list.body.items.filter((i: { documentId: string }) => i.documentId === documentId);
      expect(mine.map((i: any) => [i.recipient, i.reason]).sort()).to.deep.equal([[late, 'not_completed'], [unacked, 'not_acknowledged']].sort());
      expect(mine[0]).to.include({ notation: 'CT-UBND', dueOn: '2026-03-20' });
      expect(mine[0].subject).to.be.a('string').and.not.empty;
      const stranger = await getJson(gw.baseUrl, '/v1/outbox/overdue', recipients[0]!.apiKey);
      expect(stranger.body.items.filter((i: { documentId: string }) => i.documentId === documentId)).to.deep.equal([]);
    });
  });
});
