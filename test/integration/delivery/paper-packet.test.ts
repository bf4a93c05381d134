import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

/** Runs a poppler tool on the bytes (pdftotext to stdout, pdfinfo). */
function poppler(tool: 'pdftotext' | 'pdfinfo', pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-packet-'));
  const file = path.join(dir, 'packet.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync(tool, tool === 'pdftotext' ? [file, '-'] : [file], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('paper dispatch: a print-ready packet for recipients without electronic capability', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let hosted: TestAgency;
  let paper: TestAgency;

  before(async () => {
    gw = await startGateway();
    [sender, hosted] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    [paper] = (await createAgencies(gw.db, 1, { channel: 'paper', withCertificates: false })) as [TestAgency];
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(worker.output().slice(-3000));
  });

  it('when a document goes to one hosted and one paper agency, then only the sender can fetch the paper packet: slip + every signed page', async () => {
    const posted = await postDocument(
      gw.baseUrl,
      sender.apiKey,
      documentForm(metadataFor([hosted.code, paper.code], { number: '27' }), await makePdf(2, 'Noi dung van ban giay')),
    );
    expect(posted.status).to.equal(202);
    const id = posted.body.id as string;
    const rows = await waitFor('both dispatches done', async () => {
      const r = await gw.db.query(`SELECT id, recipient_code AS recipient, status FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [id]);
      return r.rows.every((x) => x.status === 'delivered' || x.status === 'paper') ? r.rows : undefined;
    });
    const paperDispatch = rows.find((x) => x.recipient === paper.code)!;
    const hostedDispatch = rows.find((x) => x.recipient === hosted.code)!;
    expect(paperDispatch.status).to.equal('paper');
    expect(hostedDispatch.status).to.equal('delivered');

    const url = (d: string) => `${gw.baseUrl}/v1/documents/${id}/dispatches/${d}/packet`;
    const res = await fetch(url(paperDispatch.id), { headers: { authorization: `Bearer ${sender.apiKey}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    const packet = Buffer.from(await res.arrayBuffer());
    const text = poppler('pdftotext', packet);
    expect(text).to.contain('PHIẾU GỬI');
    expect(text).to.contain('27/CT-UBND');
    expect(text).to.contain(paper.name);
    expect(text).to.contain(paper.code);
    expect(text).to.contain('Noi dung van ban giay - page 2');
    expect(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', packet))?.[1]).to.equal('3');

    for (const key of [paper.apiKey, hosted.apiKey]) {
      const denied = await fetch(url(paperDispatch.id), { headers: { authorization: `Bearer ${key}` } });
      expect(denied.status, 'a recipient or another agency sees nothing').to.equal(404);
    }
    const none = await fetch(url(hostedDispatch.id), { headers: { authorization: `Bearer ${sender.apiKey}` } });
    expect(none.status, 'an electronic dispatch has no packet').to.equal(404);
    const count = await gw.db.query(`SELECT count(*)::int AS n FROM dispatch_files WHERE dispatch_id = ANY($1::uuid[])`, [rows.map((x) => x.id)]);
    expect(count.rows[0].n).to.equal(1);
  });
});
