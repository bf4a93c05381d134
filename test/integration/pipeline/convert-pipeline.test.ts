import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { nssDbTrusting, pdfsig } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

function pdftotext(pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-conv-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', path.join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('convert in the pipeline: structured bodies rendered per Decree 30, other sources converted, bad files fail alone', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;

  const finalState = (id: string) =>
    waitFor(`document ${id} to settle`, async () => {
      // One statement, one snapshot: read apart, the document could be read 'signed' and its copy,
      // routed and delivered in between, 'delivered' (seen once on a busy machine).
      const r = await gw.db.query(
        `SELECT d.status, d.last_error AS "lastError", EXISTS (SELECT 1 FROM dispatches x WHERE x.document_id = d.id AND x.status = 'delivered') AS delivered
           FROM documents d WHERE d.id = $1`,
        [id],
      );
      const { delivered, ...d } = r.rows[0];
      return d.status === 'failed' || delivered ? d : undefined;
    }, { timeoutMs: 90_000 });
  const signedText = async (id: string) => {
    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/files/signed`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    return pdftotext(Buffer.from(await res.arrayBuffer()));
  };
  const sendFile = (bytes: Buffer, name: string, contentType: string) =>
    postDocument(gw.baseUrl, sender.apiKey, { metadata: metadataFor([recipient.code]), files: [{ name, contentType, contentBase64: bytes.toString('base64') }] });

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('when a document arrives as a structured body, then the recipient gets it rendered in the official format and signed', async () => {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, {
      metadata: metadataFor([recipient.code], { number: '15' }),
      body: {
        blocks: [
          { type: 'paragraph', text: 'Để chấn chỉnh, khắc phục những hạn chế, yếu kém nêu trên, Ủy ban nhân dân tỉnh yêu cầu:' },
          { type: 'item', label: '1.', text: 'Giám đốc các Sở, ban, ngành tập trung chỉ đạo thực hiện tốt các nhiệm vụ sau:' },
          { type: 'item', label: 'a)', level: 2, text: '60% văn bản, tài liệu chính thức giữa cơ quan nhà nước được thực hiện trên mạng điện tử.' },
        ],
        recipientsText: ['- Các sở, ban, ngành;'],
        copies: 'Lưu: VT, TH.',
      },
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    expect((await finalState(posted.body.id)).status).to.equal('routed');
    const text = await signedText(posted.body.id);
    for (const part of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'Số: 15/CT-UBND', 'CHỈ THỊ', '60% văn bản, tài liệu chính thức', 'Nơi nhận:', 'Lữ Ngọc Cư']) {
      expect(text, part).to.contain(part);
    }
  });

  it('when the file is Markdown, then it is converted to PDF and delivered', async () => {
    const md = Buffer.from('# Thông báo\n\nLịch họp giao ban **tháng 12**:\n\n- Thứ Hai: Sở Nội vụ\n- Thứ Ba: Sở Tài chính\n');
    const posted = await sendFile(md, 'thong-bao.md', 'text/markdown');
    expect(posted.status).to.equal(202);
    expect((await finalState(posted.body.id)).status).to.equal('routed');
    expect(await signedText(posted.body.id)).to.contain('Sở Tài chính');
  });

  it('when a PDF is truncated or encrypted, then that document fails with its reason while the next one is delivered', async () => {
    const good = await makePdf(2);
    const truncated = await sendFile(good.subarray(0, Math.floor(good.length / 2)), 'cut.pdf', 'application/pdf');
    expect(truncated.status).to.equal(202);
    const after = await sendFile(await makePdf(1), 'ok.pdf', 'application/pdf');
    const failed = await finalState(truncated.body.id);
    expect(failed.status).to.equal('failed');
    expect(failed.lastError).to.match(/PDF_INVALID/);
    expect((await finalState(after.body.id)).status).to.equal('routed');
    const view = await getJson(gw.baseUrl, `/v1/documents/${truncated.body.id}`, sender.apiKey);
    expect(view.body.dispatches[0].status).to.equal('failed');
  });

  it('when a document has an attachment in Markdown, then the recipient gets it converted and signed separately, with the number at the top, and not the upload', async () => {
    const note = Buffer.from('# Phụ lục\n\nDanh sách **đơn vị** tham gia:\n\n- Sở Nội vụ\n- Sở Tài chính\n');
    const posted = await postDocument(gw.baseUrl, sender.apiKey, {
      metadata: metadataFor([recipient.code], { number: '27' }),
      files: [
        { name: 'van-ban.pdf', contentType: 'application/pdf', contentBase64: (await makePdf(1)).toString('base64') },
        { name: 'phu-luc.md', contentType: 'text/markdown', contentBase64: note.toString('base64') },
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    expect((await finalState(posted.body.id)).status).to.equal('routed');
    const res = await fetch(`${gw.baseUrl}/v1/documents/${posted.body.id}/files/attachment-1`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    const report = pdfsig(pdf, nssDbTrusting(caPem));
    expect(report).to.contain('Signature is Valid');
    const text = pdftotext(pdf);
    expect(text).to.contain('Số: 27/CT-UBND');
    expect(text).to.contain('Sở Tài chính');
    const source = await fetch(`${gw.baseUrl}/v1/documents/${posted.body.id}/files/attachment-1-source`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    expect(source.status, 'the upload is the sender\'s').to.equal(404);
    const own = await fetch(`${gw.baseUrl}/v1/documents/${posted.body.id}/files/attachment-1-source`, { headers: { authorization: `Bearer ${sender.apiKey}` } });
    expect(Buffer.from(await own.arrayBuffer()).equals(note)).to.equal(true);
  });

  it('when a legacy .doc file or an unknown binary is sent, then the intake refuses it with 415 before storing anything', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    const r = await sendFile(ole, 'cong-van.doc', 'application/msword');
    expect(r.status).to.equal(415);
    expect(r.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(r.body.error.message).to.contain('.docx');
  });
});
