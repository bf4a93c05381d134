import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blobInfo, listFiles } from '../../../services/domain/blobs/blob.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { metadataFor } from '../../support/pdf.fixture';
import { nssDbTrusting, pdfsig } from '../../support/poppler';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { writeBigPdf } from '../../unit/signing/pdf-file-fixtures';

describe('a large PDF through the pipeline: chunked storage, checked and signed from temporary files', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let dataDir: string;
  let original: Buffer;

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 3);
    sender = agencies[0]!;
    recipients = agencies.slice(1);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-large-'));
    worker = spawnWorker({ LIENTHONG_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const file = path.join(dataDir, 'big.pdf');
    writeBigPdf(file, 6 * 1024 * 1024);
    original = fs.readFileSync(file);
    fs.rmSync(file);
  });
  after(async () => {
    await worker.stop();
    await gw.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a 6 MB PDF is sent to two agencies, then both get a valid signed copy whose prefix is the original, stored in chunks, and no temporary file is left', async () => {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), original, 'ban-do.pdf'));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const id = posted.body.id as string;
    await waitFor('both deliveries', async () =>
      (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rowCount === 2,
    { timeoutMs: 120_000 });

    const doc = (await gw.db.query(`SELECT page_count AS "pageCount" FROM documents WHERE id = $1`, [id])).rows[0];
    expect(doc).to.deep.equal({ pageCount: 1 });
    const files = await listFiles(gw.db, id);
    const byRole = Object.fromEntries(files.map((f) => [f.role, f]));
    expect(byRole.canonical!.sha256, 'the checked PDF passes through as the same blob').to.equal(byRole.original!.sha256);
    const signedInfo = await blobInfo(gw.db, byRole.signed!.sha256);
    expect(signedInfo.chunks).to.be.at.least(6);
    expect((await blobInfo(gw.db, byRole.original!.sha256)).chunks).to.be.at.least(6);

    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/files/signed`, { headers: { authorization: `Bearer ${recipients[0]!.apiKey}` } });
    expect(res.status).to.equal(200);
    const signed = Buffer.from(await res.arrayBuffer());
    expect(signed.length).to.equal(signedInfo.size);
    expect(signed.subarray(0, original.length).equals(original), 'an incremental update: the original bytes are the prefix').to.equal(true);
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    expect(pdfsig(signed, nssDbTrusting(caPem))).to.contain('Signature is Valid');

    // The worker logs after its commit: wait for the line, then look at what it says.
    await waitFor('the worker\'s "signed" line', async () => worker.output().includes('"msg":"signed"'), { recheckMs: 100 });
    expect(worker.output(), 'signed from the file, not read whole').not.to.contain('signed in memory');
    const left = fs.existsSync(path.join(dataDir, 'tmp')) ? fs.readdirSync(path.join(dataDir, 'tmp')) : [];
    expect(left, 'temporary copies are removed when the stage ends').to.deep.equal([]);
  });
});
