import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { loadConfig } from '../../../services/config/config';
import { startDevTsa } from '../../../services/tsa/dev-tsa';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { nssDbTrusting, pdfsig } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

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
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    const t = await startDevTsa(gw.db, loadConfig().masterKey, true);
    tsa = t.server;
    worker = spawnWorker({ LIENTHONG_TSA_URL: t.url });
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
    const report = pdfsig(signedPdf, nssDbTrusting(caPem));
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
    expect(view.body.signature.incoming).to.deep.include({ signed: true, ok: true, trusted: true });
    expect(view.body.signature.incoming.signatures[0].signer).to.equal(sender.name);

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
