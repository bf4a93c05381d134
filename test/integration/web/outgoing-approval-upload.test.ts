import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { getBlob, listFiles } from '../../../services/domain/blobs/blob.repository';
import { vnDay } from '../../../services/stats/periods';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, pdfText, type AgencyPeople } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { WebClient } from './web-client';

describe('approval before sending, from an uploaded PDF: drafted, approved by the head and the leader, numbered and delivered', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let agency: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;

  async function as(p: { username: string; password: string }): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    expect((await c.signIn(p.username, p.password)).status).to.equal(303);
    return c;
  }

  /** The draft form as the browser sends it with "Tải lên tệp PDF đã có" chosen (multipart). */
  async function uploadForm(web: WebClient, file: { bytes: Buffer; name: string; type: string }): Promise<FormData> {
    const form = new FormData();
    form.append('_csrf', await web.csrf('/drafts/new'));
    const fields: Record<string, string> = {
      documentType: 'CV', number: '', notation: 'STC-NS', issuedOn: vnDay(new Date()), place: 'Đắk Lắk',
      subject: 'Về việc báo cáo quyết toán ngân sách năm 2026', signerAuthority: 'KT.', signerPosition: 'PHÓ GIÁM ĐỐC', signerName: 'Trần Thị Lan',
      urgency: 'normal', dueOn: '', source: 'upload', bodyText: '', copies: 'Lưu: VT.', formKey: randomBytes(18).toString('base64url'),
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('recipients', recipient.code);
    form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
    return form;
  }

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

  it('when the uploaded file is not a PDF, then the draft is refused at once with the reason, and nothing is kept', async () => {
    const specialist = await as(people.departments[0]!.specialist);
    const before = (await gw.db.query(`SELECT count(*)::int AS n FROM outgoing_drafts WHERE agency_code = $1`, [agency.code])).rows[0].n;
    const refused = await specialist.request('POST', '/drafts', await uploadForm(specialist, { bytes: Buffer.from('Không phải PDF, chỉ là văn bản thường.\n'), name: 'ghi-chu.pdf', type: 'application/pdf' }));
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Tệp dự thảo phải là tệp PDF');
    const missing = await specialist.request('POST', '/drafts', await uploadForm(specialist, { bytes: Buffer.alloc(0), name: 'rong.pdf', type: 'application/pdf' }));
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('Hãy chọn tệp PDF của văn bản.');
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM outgoing_drafts WHERE agency_code = $1`, [agency.code])).rows[0].n).to.equal(before);
  });

  it('when a specialist uploads a PDF as a draft, the head returns it, a corrected PDF is resubmitted, the head and the leader approve it, then the clerk issues it: numbered, signed and delivered with the corrected pages', async () => {
    const unit = people.departments[1]!;
    const pdf = await makePdf(2, 'Bao cao quyet toan ngan sach tai lieu tai len');
    const specialist = await as(unit.specialist);
    const created = await specialist.request('POST', '/drafts', await uploadForm(specialist, { bytes: pdf, name: 'bao-cao-quyet-toan.pdf', type: 'application/pdf' }));
    expect(created.status, created.text.slice(0, 500)).to.equal(303);
    const draftId = /\/drafts\/([0-9a-f-]{36})/.exec(created.location ?? '')![1]!;
    const state = async () => (await gw.db.query(`SELECT state FROM outgoing_drafts WHERE id = $1`, [draftId])).rows[0].state as string;
    expect(await state()).to.equal('head_review');
    // The approvers read the uploaded PDF itself.
    const head = await as(unit.head);
    const preview = await fetch(`${gw.baseUrl}/drafts/${draftId}/preview.pdf`, { headers: { cookie: [...head.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(preview.status).to.equal(200);
    expect(Buffer.from(await preview.arrayBuffer()).equals(pdf), 'the preview is the uploaded file, byte for byte').to.equal(true);

    // Returned once; the specialist sends back a corrected PDF (a file that is not a PDF is refused).
    expect((await head.post(`/drafts/${draftId}/return`, { comment: 'Bổ sung số liệu quý IV' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('returned');
    const resubmit = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('_csrf', await specialist.csrf(`/drafts/${draftId}`));
      form.append('comment', 'Đã bổ sung số liệu');
      form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'bao-cao-quyet-toan-sua.pdf');
      return specialist.request('POST', `/drafts/${draftId}/resubmit`, form);
    };
    const page = await specialist.get(`/drafts/${draftId}`);
    expect(page.text, 'the resubmit form takes a file').to.contain('enctype="multipart/form-data"').and.contain('id="rs-file"');
    const notPdf = await resubmit(Buffer.from('<html>không phải PDF</html>'));
    expect(notPdf.status).to.equal(400);
    expect(await state()).to.equal('returned');
    const corrected = await makePdf(3, 'Bao cao quyet toan da bo sung so lieu quy IV');
    expect((await resubmit(corrected)).status).to.equal(303);
    expect(await state()).to.equal('head_review');
    expect((await head.post(`/drafts/${draftId}/approve`, { comment: 'Trình lãnh đạo ký' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('leader_review');
    const leader = await as(people.leader);
    expect((await leader.post(`/drafts/${draftId}/approve`, { comment: 'Đồng ý' }, { fromPage: `/drafts/${draftId}` })).status).to.equal(303);
    expect(await state()).to.equal('approved');

    const clerk = await as(people.clerk);
    const issued = await clerk.post(`/drafts/${draftId}/issue`, {}, { fromPage: `/drafts/${draftId}` });
    expect(issued.status, issued.text.slice(0, 500)).to.equal(303);
    const documentId = /\/outbox\/([0-9a-f-]{36})/.exec(issued.location ?? '')![1]!;
    const steps = (await gw.db.query(`SELECT action, actor_role AS role, comment FROM outgoing_draft_steps WHERE draft_id = $1 ORDER BY id`, [draftId])).rows;
    expect(steps.map((s) => `${s.action}:${s.role}`)).to.deep.equal(['submit:Chuyên viên', 'return:Lãnh đạo phòng', 'resubmit:Chuyên viên', 'approve:Lãnh đạo phòng', 'approve:Lãnh đạo', 'send:Văn thư']);
    expect(steps[2].comment).to.equal('Đã bổ sung số liệu — Thay tệp: bao-cao-quyet-toan-sua.pdf');

    await waitFor('delivery of the issued document', async () => {
      const r = await gw.db.query(`SELECT status FROM dispatches WHERE document_id = $1`, [documentId]);
      return r.rows[0]?.status === 'delivered';
    }, { timeoutMs: 120_000 });
    const doc = (await gw.db.query(`SELECT number, notation, subject, sender_code AS sender FROM documents WHERE id = $1`, [documentId])).rows[0];
    expect(doc).to.include({ sender: agency.code, notation: 'STC-NS', subject: 'Về việc báo cáo quyết toán ngân sách năm 2026' });
    expect(doc.number, 'the văn thư\'s register gave it a number').to.match(/^\d+$/);
    const files = await listFiles(gw.db, documentId);
    const original = files.find((f) => f.role === 'original')!;
    expect((await getBlob(gw.db, original.sha256)).equals(corrected), 'the document sent is the corrected upload').to.equal(true);
    const signed = files.find((f) => f.role === 'signed')!;
    const text = pdfText(await getBlob(gw.db, signed.sha256));
    expect(text).to.contain('Bao cao quyet toan da bo sung so lieu quy IV - page 1').and.contain('page 3');
    expect(text).not.to.contain('tai lieu tai len');
  });
});
