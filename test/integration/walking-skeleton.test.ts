import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../support/http.fixture';
import { makePdf, metadataFor } from '../support/pdf.fixture';
import { nssDbTrusting, pdfsigAsync } from '../support/poppler';
import { stepHeld } from '../support/queue-probe';
import { testEnv } from '../support/test-env';
import { waitFor } from '../support/wait';
import { spawnWorker, type WorkerProcess } from '../support/worker.fixture';

/** Counts what must be exactly one per dispatch whatever happened on the way. */
async function deliveryCounts(gw: RunningGateway, documentId: string) {
  const r = await gw.db.query(
    `SELECT x.id, x.status,
            (SELECT count(*) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '01')::int AS arrived,
            (SELECT count(*) FROM ledger l WHERE l.dispatch_id = x.id AND l.kind = 'dispatch_delivered')::int AS ledger
       FROM dispatches x WHERE x.document_id = $1 ORDER BY x.recipient_code`,
    [documentId],
  );
  return r.rows as { id: string; status: string; arrived: number; ledger: number }[];
}

function allDelivered(gw: RunningGateway, documentId: string) {
  return async () => {
    const rows = await deliveryCounts(gw, documentId);
    return rows.length > 0 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
  };
}

describe('walking skeleton: a signed PDF travels from one agency to another agency\'s inbox', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let worker: WorkerProcess | undefined;

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 3, { revocationBaseUrl: gw.baseUrl });
    sender = agencies[0]!;
    recipients = agencies.slice(1);
  });

  after(async () => {
    await worker?.stop();
    await gw.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-4000));
  });

  it('when a clerk system posts a PDF, then every recipient gets it in its inbox, signed, with a valid and trusted PAdES signature', async () => {
    worker = spawnWorker();
    const pdf = await makePdf(2);
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), pdf));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    expect(posted.body).to.include({ status: 'accepted' });
    const id: string = posted.body.id;
    expect(posted.body.links.self).to.equal(`/v1/documents/${id}`);

    await waitFor('both dispatches delivered', allDelivered(gw, id));

    for (const r of recipients) {
      const inbox = await getJson(gw.baseUrl, '/v1/inbox', r.apiKey);
      expect(inbox.status).to.equal(200);
      const item = inbox.body.items.find((i: { documentId: string }) => i.documentId === id);
      expect(item, `${r.code} inbox`).to.include({ sender: sender.code, notation: 'CT-UBND', status: 'delivered', number: '01' });
    }

    const view = await getJson(gw.baseUrl, `/v1/documents/${id}`, sender.apiKey);
    expect(view.status).to.equal(200);
    expect(view.body.status).to.equal('routed');
    expect(view.body.dispatches).to.have.length(2);
    for (const d of view.body.dispatches) {
      expect(d).to.include({ channel: 'hosted', status: 'delivered' });
      expect(d.events.map((e: { code: string }) => e.code)).to.deep.equal(['01']);
    }
    expect(view.body.files.map((f: { role: string }) => f.role)).to.include.members(['original', 'canonical', 'signed']);

    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/files/signed`, { headers: { authorization: `Bearer ${recipients[0]!.apiKey}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    const signed = Buffer.from(await res.arrayBuffer());
    const caPem = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
    // pdfsig asks the development OCSP responder this gateway runs (the certificates name it)
    const report = await pdfsigAsync(signed, nssDbTrusting(caPem));
    expect(report).to.contain('Signature is Valid');
    expect(report).to.contain('Certificate is Trusted');
    expect(report).to.contain('ETSI.CAdES.detached');

    const ledger = await gw.db.query(`SELECT kind, count(*)::int AS n FROM ledger WHERE document_id = $1 GROUP BY kind ORDER BY kind`, [id]);
    expect(ledger.rows).to.deep.equal([
      { kind: 'dispatch_delivered', n: 2 },
      { kind: 'document_accepted', n: 1 },
    ]);
    await worker.stop();
    worker = undefined;
  });

  it('when a worker is killed (-9) in the middle of the sign stage, then another worker picks the job up and the document arrives exactly once', async () => {
    const env = { LIENTHONG_JOB_LOCK_MS: '2000', LIENTHONG_STALLED_INTERVAL_MS: '1000' };
    const doomed = spawnWorker({ ...env, LIENTHONG_FAULT_DELAY: 'sign:600000' });
    worker = doomed;
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const id: string = posted.body.id;

    // The sign step runs in the document's convert job when the worker runs every stage (stage chaining), else in its own job.
    await waitFor('the sign step to be running in the doomed worker', async () => stepHeld(doomed.output(), 'sign', id), { recheckMs: 100 });
    await doomed.kill9();
    // Chained, convert's move is carried into sign's and commits with it: nothing of either is written yet.
    const before = await gw.db.query(`SELECT status, (SELECT count(*)::int FROM document_files f WHERE f.document_id = d.id AND f.role = 'canonical') AS canonical FROM documents d WHERE id = $1`, [id]);
    expect(before.rows[0]).to.deep.equal({ status: 'accepted', canonical: 0 });

    worker = spawnWorker(env);
    const rows = await waitFor('delivery after the crash', allDelivered(gw, id), { timeoutMs: 60_000 });
    expect(rows).to.have.length(2);
    for (const r of rows) expect(r).to.include({ arrived: 1, ledger: 1 });
    const signedFiles = await gw.db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1 AND role = 'signed'`, [id]);
    expect(signedFiles.rows[0].n).to.equal(1);
  });
});
