import { expect } from 'chai';
import { getBlob, listFiles } from '../../../services/domain/blobs/blob.repository';
import { vnDay } from '../../../services/stats/periods';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, pdfText, type AgencyPeople } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { nssDbTrusting, pdfsigAsync } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { WebClient } from './web-client';

describe('approval before sending: drafted, approved twice (returned once), numbered and delivered', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let agency: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  let draftId = '';

  async function as(p: { username: string; password: string }): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    expect((await c.signIn(p.username, p.password)).status).to.equal(303);
    return c;
  }
  const state = async () => (await gw.db.query(`SELECT state FROM outgoing_drafts WHERE id = $1`, [draftId])).rows[0].state as string;

  before(async () => {
    gw = await startGateway();
    [agency, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, agency.code);
    worker = spawnWorker();
  });
  after(async () => {
    await worker?.stop();
    await gw?.close();
  });

  it('when a specialist drafts, the head returns it with a comment, it is corrected, the head and the leader approve, then the clerk numbers and sends it and it is delivered', async () => {
    const unit = people.departments[0]!;
    const specialist = await as(unit.specialist);
    const created = await specialist.post('/drafts', {
      documentType: 'CV', notation: 'UBND-VP', issuedOn: vnDay(new Date()), place: 'Đắk Lắk', subject: 'Về việc rà soát thủ tục hành chính quý IV',
      signerAuthority: 'KT.', signerPosition: 'PHÓ CHỦ TỊCH', signerName: 'Nguyễn Văn Bình', urgency: 'normal', recipients: recipient.code,
      source: 'compose', bodyText: 'Đề nghị các đơn vị rà soát thủ tục hành chính.', copies: 'Lưu: VT.',
    }, { fromPage: '/drafts/new' });
    expect(created.status).to.equal(303);
    draftId = /\/drafts\/([0-9a-f-]{36})/.exec(created.location ?? '')![1]!;
    expect(await state()).to.equal('head_review');
    // A clerk may not issue it yet, and the leader may not approve before the unit head.
    const clerk = await as(people.clerk);
    expect((await clerk.post(`/drafts/${draftId}/issue`, {}, { fromPage: '/drafts' })).status).to.equal(409);
    const leader = await as(people.leader);
    expect((await leader.post(`/drafts/${draftId}/approve`, {}, { fromPage: '/drafts' })).status).to.equal(403);

    const head = await as(unit.head);
    expect((await head.post(`/drafts/${draftId}/return`, { comment: 'Bổ sung thời hạn báo cáo' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('returned');
    const told = (await gw.db.query(`SELECT title FROM notifications WHERE user_id = $1 AND kind = 'approval'`, [unit.specialist.id])).rows;
    expect(told.map((t) => t.title).join()).to.contain('bị trả lại');

    expect((await specialist.post(`/drafts/${draftId}/resubmit`, { bodyText: 'Đề nghị các đơn vị rà soát thủ tục hành chính, báo cáo trước ngày 15.', comment: 'Đã bổ sung' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect((await head.post(`/drafts/${draftId}/approve`, { comment: 'Trình lãnh đạo' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('leader_review');
    expect((await leader.post(`/drafts/${draftId}/approve`, { comment: 'Đồng ý ban hành' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('approved');
    // What the approvers read is a preview: the corrected text, no number yet, marked on every page.
    const preview = await fetch(`${gw.baseUrl}/drafts/${draftId}/preview.pdf`, { headers: { cookie: [...leader.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(preview.status).to.equal(200);
    expect(preview.headers.get('content-type')).to.match(/^application\/pdf/);
    const previewText = pdfText(Buffer.from(await preview.arrayBuffer()));
    expect(previewText).to.contain('BẢN XEM TRƯỚC');
    expect(previewText).to.contain('Số: .../UBND-VP');
    expect(previewText).to.contain('báo cáo trước ngày 15');

    const issued = await clerk.post(`/drafts/${draftId}/issue`, {}, { fromPage: `/drafts/${draftId}` });
    expect(issued.status).to.equal(303);
    const documentId = /\/outbox\/([0-9a-f-]{36})/.exec(issued.location ?? '')![1]!;
    const steps = (await gw.db.query(`SELECT action, actor_role AS role, comment FROM outgoing_draft_steps WHERE draft_id = $1 ORDER BY id`, [draftId])).rows;
    expect(steps.map((s) => `${s.action}:${s.role}`)).to.deep.equal([
      'submit:Chuyên viên', 'return:Lãnh đạo phòng', 'resubmit:Chuyên viên', 'approve:Lãnh đạo phòng', 'approve:Lãnh đạo', 'send:Văn thư',
    ]);
    expect(steps[1].comment).to.equal('Bổ sung thời hạn báo cáo');
    // Issued once: a second click does not send it twice.
    expect((await clerk.post(`/drafts/${draftId}/issue`, {}, { fromPage: `/drafts/${draftId}` })).status).to.equal(409);

    await waitFor('delivery of the issued document', async () => {
      const r = await gw.db.query(`SELECT status FROM dispatches WHERE document_id = $1`, [documentId]);
      return r.rows[0]?.status === 'delivered';
    }, { timeoutMs: 90_000 });
    const doc = (await gw.db.query(`SELECT number, year, sender_code AS sender, source_type AS "sourceType" FROM documents WHERE id = $1`, [documentId])).rows[0];
    expect(doc.sender).to.equal(agency.code);
    expect(doc.number).to.match(/^\d+$/);
    // Issued the API's way: the structured body went to the intake (which issued the register's
    // number) and the convert stage rendered it; the gateway rendered nothing.
    expect(doc.sourceType).to.equal('body');
    const register = (await gw.db.query(`SELECT last_number AS n FROM number_registers WHERE agency_code = $1 AND year = $2 AND kind = 'outgoing'`, [agency.code, doc.year])).rows[0];
    expect(Number(doc.number)).to.equal(register.n);
    const files = await listFiles(gw.db, documentId);
    expect(files.map((f) => f.role).sort()).to.deep.equal(['canonical', 'signed']);
    const signed = files.find((f) => f.role === 'signed')!;
    const signedPdf = await getBlob(gw.db, signed.sha256);
    const text = pdfText(signedPdf);
    expect(text).to.contain('báo cáo trước ngày 15');
    expect(text).to.contain(`Số: ${doc.number}/UBND-VP`);
    expect(text).not.to.contain('BẢN XEM TRƯỚC');
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    const report = await pdfsigAsync(signedPdf, nssDbTrusting(caPem));
    expect(report).to.contain('Signature is Valid');
    expect(report, "signed with the sending agency's certificate").to.contain(`OU=${agency.code},`);
  });
});
