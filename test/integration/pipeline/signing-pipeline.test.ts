import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { loadConfig } from '../../../services/config/config';
import { startDevTsa } from '../../../services/domain/pki/dev-tsa';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { signAsAgency } from '../../support/agency-signer';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { nssDbTrusting, pdfsigAsync } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

/** Appends an update giving page 1 a new content stream (the signed bytes untouched), located with a regex. */
function replacePageContent(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const typeAt = [...text.matchAll(/\/Type\s*\/Page(?![s\w])/g)].pop()!.index!; // the newest version of the page
  const header = text.lastIndexOf(' 0 obj', typeAt);
  const pageNum = Number(text.slice(text.lastIndexOf('\n', header) + 1, header));
  const pageStart = text.lastIndexOf(`\n${pageNum} 0 obj`) + 1;
  const pageBody = text.slice(text.indexOf('obj', pageStart) + 3, text.indexOf('endobj', pageStart)).trim();
  const size = Number([...text.matchAll(/\/Size (\d+)/g)].pop()![1]);
  const root = [...text.matchAll(/\/Root (\d+ \d+ R)/g)].pop()![1];
  const prev = Number([...text.matchAll(/startxref\s+(\d+)/g)].pop()![1]);
  const data = 'BT /F1 24 Tf 72 700 Td (GIA MAO) Tj ET';
  const objs = [`${size} 0 obj\n<< /Length ${data.length} >>\nstream\n${data}\nendstream\nendobj\n`,
    `${pageNum} 0 obj\n${pageBody.replace(/\/Contents\s+(\d+ 0 R|\[[^\]]*\])/, `/Contents ${size} 0 R`)}\nendobj\n`];
  let out = text + '\n';
  const offsets: number[] = [];
  for (const o of objs) { offsets.push(Buffer.byteLength(out, 'latin1')); out += o; }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n${size} 1\n${String(offsets[0]).padStart(10, '0')} 00000 n\r\n${pageNum} 1\n${String(offsets[1]).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${size + 1} /Root ${root} /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('signing in the pipeline: B-T with the development TSA, the visible stamp, and PDFs that arrive signed', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let tsa: http.Server;
  let sender: TestAgency;
  let recipient: TestAgency;
  let signedPdf: Buffer;
  let docId: string;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { revocationBaseUrl: gw.baseUrl })) as [TestAgency, TestAgency];
    const t = await startDevTsa(gw.db, loadConfig().masterKey, true);
    tsa = t.server;
    // this suite is about B-T (signature-levels.test.ts covers B-LT and B-LTA): no DSS, no document timestamp
    worker = spawnWorker({ LIENTHONG_TSA_URL: t.url, LIENTHONG_SIGNATURE_LEVEL: 'B-T', LIENTHONG_LTA_DOCUMENT_TYPES: 'NQ' });
  });
  after(async () => {
    await worker.stop();
    tsa.close();
    await gw.close();
  });

  it('when a TSA is configured, then the delivered PDF is PAdES B-T, trusted by pdfsig, with the agency and a Vietnam time in words printed at the top of page 1', async () => {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    docId = posted.body.id;
    await waitFor('delivery', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [docId])).rowCount === 1);
    const view = await getJson(gw.baseUrl, `/v1/documents/${docId}`, sender.apiKey);
    expect(view.body.signature).to.deep.include({ level: 'B-T', note: null });
    const res = await fetch(`${gw.baseUrl}/v1/documents/${docId}/files/signed`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    signedPdf = Buffer.from(await res.arrayBuffer());
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    // pdfsig asks the development OCSP responder this gateway runs (the certificates name it)
    const report = await pdfsigAsync(signedPdf, nssDbTrusting(caPem));
    expect(report).to.contain('Signature is Valid');
    expect(report).to.contain('Certificate is Trusted');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-stamp-'));
    fs.writeFileSync(path.join(dir, 'signed.pdf'), signedPdf);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', path.join(dir, 'signed.pdf'), '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).to.contain(sender.name);
    expect(text).to.match(/\d{2}:\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4} \(GMT\+7\)/);
  });

  it('when an agency forwards a PDF that arrived signed, then the intake verifies and records the signature; one changed byte is refused with SIGNATURE_INVALID and nothing is written', async () => {
    const forwarded = await postDocument(gw.baseUrl, recipient.apiKey, documentForm(metadataFor([sender.code], { notation: 'BC-STC' }), signedPdf));
    expect(forwarded.status, JSON.stringify(forwarded.body)).to.equal(202);
    const view = await getJson(gw.baseUrl, `/v1/documents/${forwarded.body.id}`, recipient.apiKey);
    // intact, trusted, and the development CA's OCSP responder (this gateway) says good: passed
    expect(view.body.signature.incoming).to.deep.include({ signed: true, ok: true, trusted: true, indication: 'passed' });
    expect(view.body.signatures[0]).to.include({ signer: sender.name, indication: 'passed', chainTrusted: true });

    // a signer whose certificate names an OCSP responder and CRL nobody answers: indeterminate,
    // accepted, and the warning is stored and shown to every recipient
    const [unreachable] = await createAgencies(gw.db, 1, { revocationBaseUrl: 'http://127.0.0.1:9' });
    const fromUnreachable = await signAsAgency(gw.db, unreachable!.code, await makePdf(1));
    const warned = await postDocument(gw.baseUrl, unreachable!.apiKey, documentForm(metadataFor([sender.code], { notation: 'BC-KXD' }), fromUnreachable));
    expect(warned.status, JSON.stringify(warned.body)).to.equal(202);
    const warnedView = await getJson(gw.baseUrl, `/v1/documents/${warned.body.id}`, unreachable!.apiKey);
    expect(warnedView.body.signature.incoming).to.deep.include({ signed: true, ok: true, trusted: false, indication: 'indeterminate' });
    expect(warnedView.body.signatures[0]).to.include({ signer: unreachable!.name, indication: 'indeterminate', reason: 'NO_REVOCATION_INFO', chainTrusted: true });
    await waitFor('the warned copy delivered', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [warned.body.id])).rowCount === 1);
    const seenByRecipient = await getJson(gw.baseUrl, `/v1/documents/${warned.body.id}`, sender.apiKey);
    expect(seenByRecipient.body.signatureWarnings).to.have.length(1);
    expect(seenByRecipient.body.signatureWarnings[0]).to.contain('không có thông tin thu hồi');

    // page 1 replaced by an incremental update after signing: refused with the reason, never re-signed
    const forged = replacePageContent(signedPdf);
    const forgedRes = await postDocument(gw.baseUrl, recipient.apiKey, documentForm(metadataFor([sender.code], { notation: 'BC-GIA' }), forged));
    expect(forgedRes.status).to.equal(422);
    expect(forgedRes.body.error.code).to.equal('SIGNATURE_INVALID');
    expect(forgedRes.body.error.message).to.match(/trang 1: nội dung bị thay đổi sau chữ ký 1/i);
    expect(forgedRes.body.error.details.map((d: { reason: string }) => d.reason)).to.include('MODIFIED_AFTER_SIGNING');

    // The binary comment on the PDF's second line is inside the first signed range and harmless
    // to parsers: changing it breaks only the signature.
    const tampered = Buffer.from(signedPdf);
    const at = tampered.indexOf('\n%') + 2;
    expect(at).to.be.within(8, 20);
    tampered[at] = tampered[at]! ^ 0x01;
    const before = (await gw.db.query(`SELECT count(*)::int AS n FROM documents`)).rows[0].n;
    const refused = await postDocument(gw.baseUrl, recipient.apiKey, documentForm(metadataFor([sender.code], { notation: 'BC-STC' }), tampered));
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('SIGNATURE_INVALID');
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents`)).rows[0].n).to.equal(before);
  });
});
