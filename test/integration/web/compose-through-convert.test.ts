import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { getBlob, listFiles } from '../../../services/domain/blobs/blob.repository';
import { blocksFromText } from '../../../services/web/send/body-text';
import { vnDay } from '../../../services/stats/periods';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { pdfText } from '../../support/agency-people.fixture';
import { postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { nssDbTrusting, pdfsigAsync } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { createWebUser, WebClient } from './web-client';

/**
 * Issue 18: a document composed in the web goes the API's way — the structured body into the one
 * intake, which issues the number; the convert stage renders it. The gateway renders previews only.
 */
describe('web composing: the body goes to the convert stage, as the API\'s does', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let sender: TestAgency;
  let recipient: TestAgency;
  let web: WebClient;
  const issuedOn = vnDay(new Date());
  const year = Number(issuedOn.slice(0, 4));
  const bodyText = 'Thực hiện Chỉ thị của Ủy ban nhân dân tỉnh, Văn phòng đề nghị các đơn vị:\n1. Gửi, nhận văn bản qua hệ thống Liên Thông.\na) Văn bản đi ký số trước khi gửi.\nĐề nghị các đơn vị thực hiện nghiêm túc.';
  let webDocId = '';
  let apiDocId = '';

  const form = (extra: Record<string, string> = {}) => ({
    documentType: 'CV', notation: 'VP-TH', issuedOn, place: 'Đắk Lắk', subject: 'Về việc gửi, nhận văn bản điện tử (soạn trên hệ thống)',
    signerAuthority: 'TL.', signerPosition: 'CHÁNH VĂN PHÒNG', signerName: 'Trần Thị Soạn', urgency: 'normal', recipients: recipient.code,
    source: 'compose', bodyText, copies: 'Lưu: VT, TH.', formKey: randomBytes(18).toString('base64url'), ...extra,
  });
  const lastNumber = async () =>
    ((await gw.db.query(`SELECT last_number AS n FROM number_registers WHERE agency_code = $1 AND year = $2 AND kind = 'outgoing'`, [sender.code, year])).rows[0]?.n as number | undefined) ?? 0;
  const docRow = async (id: string) =>
    (await gw.db.query(`SELECT number, status, body, source_type AS "sourceType" FROM documents WHERE id = $1`, [id])).rows[0] as { number: string; status: string; body: unknown; sourceType: string };
  const idOf = (location: string | null) => /\/outbox\/([0-9a-f-]{36})/.exec(location ?? '')![1]!;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
  });
  after(async () => {
    await worker?.stop();
    await gw?.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-3000));
  });

  it('when the clerk previews a composed body, then a PDF marked as a preview comes back with no number issued and nothing stored', async () => {
    const before = await lastNumber();
    const documents = (await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code])).rows[0].n;
    const r = await fetch(`${gw.baseUrl}/send/preview`, {
      method: 'POST', redirect: 'manual', headers: { cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: new URLSearchParams({ _csrf: await web.csrf('/send'), ...form() }),
    });
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(r.status, bytes.toString('utf8').slice(0, 300)).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('application/pdf');
    expect(r.headers.get('content-disposition')).to.contain('xem-truoc.pdf');
    const previewText = pdfText(bytes);
    expect(previewText).to.contain('BẢN XEM TRƯỚC');
    expect(previewText).to.contain('Số: .../VP-TH');
    expect(previewText).to.contain('Gửi, nhận văn bản qua hệ thống Liên Thông.');
    expect(await lastNumber(), 'a preview issues no number').to.equal(before);
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code])).rows[0].n).to.equal(documents);
  });

  it('when the clerk sends a composed document while no worker runs, then it is accepted at once with the register\'s next number and the API\'s structured body, and its page says the PDF is coming', async () => {
    const before = await lastNumber();
    const sent = await web.post('/send', form(), { fromPage: '/send' });
    expect(sent.status, sent.text.slice(0, 500)).to.equal(303);
    webDocId = idOf(sent.location);
    const doc = await docRow(webDocId);
    expect(doc.number, 'the intake issued the number, as for the API').to.equal(String(before + 1).padStart(2, '0'));
    expect(await lastNumber()).to.equal(before + 1);
    expect(doc.status).to.equal('accepted');
    expect(doc.sourceType).to.equal('body');
    expect(doc.body).to.deep.equal({ blocks: blocksFromText(bodyText), recipientsText: [`- ${recipient.name};`], copies: 'Lưu: VT, TH.' });
    expect(await listFiles(gw.db, webDocId), 'nothing rendered in the gateway').to.deep.equal([]);

    const page = await web.get(sent.location!);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`Đã nhận văn bản số ${doc.number}/VP-TH`);
    expect(page.text).to.contain('data-pdf-pending="accepted"');
    expect(page.text).to.contain('bản PDF sẽ hiện ở đây khi xong');
    expect(page.text).not.to.contain('<iframe');
    const live = JSON.parse((await web.get(`/outbox/${webDocId}/live`)).text) as { pdfRole: string | null; pdf: string };
    expect(live.pdfRole).to.equal(null);
    expect(live.pdf).to.contain('data-pdf-pending');

    // The same document through the API's JSON body, for comparison once both are rendered.
    const api = await postDocument(gw.baseUrl, sender.apiKey, {
      metadata: {
        documentType: 'CV', notation: 'VP-TH', issuedOn, place: 'Đắk Lắk', subject: 'Về việc gửi, nhận văn bản điện tử (soạn trên hệ thống)',
        signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Trần Thị Soạn' }, recipients: [recipient.code], recipientsText: [`- ${recipient.name};`],
      },
      body: doc.body,
    });
    expect(api.status, JSON.stringify(api.body)).to.equal(202);
    apiDocId = api.body.id;
  });

  it('when the clerk sends the same form twice (a double click), then one document is made and both answers lead to it', async () => {
    const f = form({ subject: 'Gửi hai lần cùng một biểu mẫu' });
    const first = await web.post('/send', f, { fromPage: '/send' });
    const second = await web.post('/send', f, { fromPage: '/send' });
    expect(first.status).to.equal(303);
    expect(second.status, second.text.slice(0, 300)).to.equal(303);
    expect(idOf(second.location)).to.equal(idOf(first.location));
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1 AND subject = $2`, [sender.code, f.subject])).rows[0].n).to.equal(1);
  });

  it('when several clerks send composed documents at the same moment, then each gets its own number at once, without retries', async () => {
    const before = await lastNumber();
    const sends = await Promise.all(Array.from({ length: 4 }, (_, i) => web.post('/send', form({ subject: `Gửi đồng thời ${i + 1}` }), { fromPage: '/send' })));
    expect(sends.map((s) => s.status)).to.deep.equal([303, 303, 303, 303]);
    const numbers = await Promise.all(sends.map(async (s) => Number((await docRow(idOf(s.location))).number)));
    expect([...numbers].sort((x, y) => x - y)).to.deep.equal([before + 1, before + 2, before + 3, before + 4]);
  });

  it('when the body is empty of text or a paragraph is beyond the contract\'s limit, then the form says so next to the body and nothing is sent', async () => {
    const before = await lastNumber();
    const blank = await web.post('/send', form({ bodyText: '   ' }), { fromPage: '/send' });
    expect(blank.status).to.equal(400);
    expect(blank.text).to.contain('Hãy soạn nội dung văn bản');
    const long = await web.post('/send', form({ bodyText: 'chữ '.repeat(6_000) }), { fromPage: '/send' });
    expect(long.status).to.equal(400);
    expect(long.text).to.contain('mỗi đoạn không quá 20.000 ký tự');
    expect(await lastNumber()).to.equal(before);
  });

  it('when the worker runs, then the convert stage renders the web\'s document with its number exactly as it renders the API\'s body, signs it, and the page shows the signed PDF', async () => {
    worker = spawnWorker();
    const routed = async (id: string) => ['routed', 'delivered'].includes((await docRow(id)).status);
    await waitFor('both documents converted, signed and routed', async () => (await routed(webDocId)) && (await routed(apiDocId)), { timeoutMs: 150_000 });
    const web1 = await docRow(webDocId);
    const api1 = await docRow(apiDocId);
    const canonical = async (id: string) => getBlob(gw.db, (await listFiles(gw.db, id)).find((f) => f.role === 'canonical')!.sha256);
    const webText = pdfText(await canonical(webDocId));
    expect(webText).to.contain(`Số: ${web1.number}/VP-TH`);
    expect(webText).to.contain('Gửi, nhận văn bản qua hệ thống Liên Thông.');
    expect(webText).to.contain(`- ${recipient.name};`);
    // One renderer, one path: the two PDFs read the same but for the number.
    expect(webText.replace(`Số: ${web1.number}/`, 'Số: N/')).to.equal(pdfText(await canonical(apiDocId)).replace(`Số: ${api1.number}/`, 'Số: N/'));

    const signed = (await listFiles(gw.db, webDocId)).find((f) => f.role === 'signed')!;
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    expect(await pdfsigAsync(await getBlob(gw.db, signed.sha256), nssDbTrusting(caPem))).to.contain('Signature is Valid');

    const live = JSON.parse((await web.get(`/outbox/${webDocId}/live`)).text) as { pdfRole: string | null; pdf: string; files: string };
    expect(live.pdfRole).to.equal('signed');
    expect(live.pdf).to.contain(`<iframe src="/documents/${webDocId}/files/signed"`);
    expect(live.files).to.contain('Bản đã ký số');
    const page = await web.get(`/outbox/${webDocId}`);
    expect(page.text).to.contain(`<iframe src="/documents/${webDocId}/files/signed"`);
    expect(page.text).not.to.contain('data-pdf-pending');
    const file = await web.get(`/documents/${webDocId}/files/signed`);
    expect(file.status).to.equal(200);
    expect(file.headers.get('content-type')).to.equal('application/pdf');
  });
});
