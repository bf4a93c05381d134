import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, postDocument, documentForm, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { createWebUser, WebClient } from '../web/web-client';

function pdftotext(pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-print-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', path.join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('file text for search, access history, printed copies and registration through the real pipeline', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  let documentId = '';
  let dispatchId = '';
  let web: WebClient;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    worker = spawnWorker();
    const pdf = await makePdf(2, 'Bao cao tong ket quan ly kho luu tru dien tu');
    const r = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { subject: 'Về việc báo cáo định kỳ' }), pdf));
    expect(r.status).to.equal(202);
    documentId = r.body.id;
    dispatchId = await waitFor('delivery', async () => {
      const x = await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [documentId]);
      return x.rows[0]?.id as string | undefined;
    }, { timeoutMs: 120_000 });
    const user = await createWebUser(gw.db, recipient.code, 'clerk');
    web = new WebClient(gw.baseUrl);
    await web.signIn(user.username, user.password);
  });

  after(async () => {
    await worker?.stop();
    await gw?.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(worker.output().slice(-3000));
  });

  it('when a document is converted, then its file text is kept once and words only in the file find it', async () => {
    const t = await gw.db.query(`SELECT content FROM document_texts WHERE document_id = $1`, [documentId]);
    expect(t.rows[0].content).to.contain('Bao cao tong ket quan ly kho luu tru dien tu - page 2');
    for (const key of [recipient.apiKey, sender.apiKey]) {
      const r = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('kho lưu trữ điện tử')}`, key);
      expect(r.body.items.map((i: { documentId: string }) => i.documentId)).to.deep.equal([documentId]);
    }
  });

  it('when the clerk opens, downloads and prints it, then each access is recorded and the printed copy says who printed it and when', async () => {
    const list = await web.get('/inbox');
    expect(list.text).to.match(new RegExp(`<tr class="[^"]*is-unread[^"]*" data-unread="1">[\\s\\S]*?/inbox/${dispatchId}`));
    expect((await web.get(`/inbox/${dispatchId}`)).status).to.equal(200);
    expect((await web.get('/inbox')).text).to.not.contain('data-unread="1"');
    expect((await web.get(`/documents/${documentId}/files/signed?download=1`)).status).to.equal(200);
    const res = await fetch(`${gw.baseUrl}/documents/${documentId}/print`, { headers: { cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).to.equal(200);
    const text = pdftotext(Buffer.from(await res.arrayBuffer()));
    expect(text).to.match(/in bởi .+ lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    expect(text).to.contain('Bao cao tong ket');
    const rows = await gw.db.query(`SELECT action, actor FROM document_access WHERE document_id = $1 AND agency_code = $2 ORDER BY id`, [documentId, recipient.code]);
    expect(rows.rows.map((r) => r.action)).to.include.members(['opened', 'downloaded', 'printed']);
    const page = await web.get(`/inbox/${dispatchId}`);
    expect(page.text).to.contain('Lịch sử truy cập văn bản');
    expect(page.text).to.contain('Tải về');
    // The sender's system reading the file over the API is recorded on the sender's side only.
    await fetch(`${gw.baseUrl}/v1/documents/${documentId}/files/signed`, { headers: { authorization: `Bearer ${sender.apiKey}` } });
    const api = await gw.db.query(`SELECT count(*)::int AS n FROM document_access WHERE document_id = $1 AND agency_code = $2 AND actor LIKE 'key:%'`, [documentId, sender.code]);
    expect(api.rows[0].n).to.equal(1);
  });

  it('when the clerk registers with a date in the future, then it is refused; with today, số đến is issued in the default book', async () => {
    const page = await web.get(`/inbox/${dispatchId}`);
    const book = /name="registerBook"><option value="([0-9a-f-]{36})"/.exec(page.text)![1]!;
    const refused = await web.post(`/inbox/${dispatchId}/status`, { code: '03', registerBook: book, registeredOn: '2999-01-01' }, { fromPage: `/inbox/${dispatchId}` });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Ngày vào sổ không hợp lệ');
    const done = await web.post(`/inbox/${dispatchId}/status`, { code: '03', registerBook: book }, { fromPage: `/inbox/${dispatchId}` });
    expect(done.status).to.equal(303);
    const x = await gw.db.query(`SELECT incoming_number AS n, registered_on::text AS d, register_book_id AS b FROM dispatches WHERE id = $1`, [dispatchId]);
    expect(x.rows[0].n).to.match(/^\d{2,}$/);
    expect(x.rows[0].b).to.equal(book);
    expect(x.rows[0].d).to.equal(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10));
    const reg = await web.get('/registers?kind=incoming');
    expect(reg.text).to.contain('Về việc báo cáo định kỳ');
    const csv = await fetch(`${gw.baseUrl}/registers/export.csv?kind=incoming`, { headers: { cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(csv.headers.get('content-type')).to.contain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).to.contain('Ngày đến,Số đến,Tác giả');
  });

  it('when the document has moved through every stage, then its search row was last written with its text (no status move rewrote it); when the text is disposed of, its words find nothing', async () => {
    // Written by the document's creation, then by its text's insert (the convert stage's move, which
    // a worker running every stage commits with sign's and route's); deliver and the clerk's
    // registration above moved its copy without touching it, and a move of the document's status
    // in a later transaction does not rewrite it either (migration 0093).
    const versions = async () => (await gw.db.query(
      `SELECT s.xmin::text AS search, t.xmin::text AS text, d.xmin::text AS doc, d.status
         FROM document_search s JOIN document_texts t ON t.document_id = s.document_id JOIN documents d ON d.id = s.document_id
        WHERE s.document_id = $1`,
      [documentId],
    )).rows[0];
    const before = await versions();
    expect(before.status).to.equal('routed');
    expect(before.search, 'the search row is the version its text wrote').to.equal(before.text);
    await gw.db.query(`UPDATE documents SET status = 'signed', updated_at = now() WHERE id = $1`, [documentId]);
    await gw.db.query(`UPDATE documents SET status = 'routed', updated_at = now() WHERE id = $1`, [documentId]);
    const after = await versions();
    expect(after.doc, 'the documents row moved on after it').to.not.equal(before.text);
    expect(after.search, 'the status moves left the search row as its text wrote it').to.equal(before.text);
    // Disposal removes the kept text (services/domain/retention/disposal.ts): its words must go with it.
    await gw.db.query(`DELETE FROM document_texts WHERE document_id = $1`, [documentId]);
    const fileWords = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('kho lưu trữ điện tử')}`, recipient.apiKey);
    expect(fileWords.body.total).to.equal(0);
    const subject = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('báo cáo định kỳ')}`, recipient.apiKey);
    expect(subject.body.items.map((i: { documentId: string }) => i.documentId), 'its metadata is still searchable').to.deep.equal([documentId]);
  });
});
