import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const statusOf = async (gw: RunningGateway, id: string) => (await gw.db.query(`SELECT status FROM documents WHERE id = $1`, [id])).rows[0]?.status as string;

describe('worker processes selectable by stage (--only), so heavy stages scale on their own', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipients: TestAgency[];
  const workers: WorkerProcess[] = [];

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 3);
    sender = agencies[0]!;
    recipients = agencies.slice(1);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await gw.close();
  });

  it('when only a convert worker runs, then documents stop after conversion; a second process for the other stages finishes them', async () => {
    const convertOnly = spawnWorker({}, ['--only', 'convert']);
    workers.push(convertOnly);
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const id: string = posted.body.id;
    await waitFor('converted', async () => (await statusOf(gw, id)) === 'converted', { timeoutMs: 60_000, recheckMs: 200 });
    // No process runs sign: the document is still converted a moment later (an absence cannot be awaited).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await statusOf(gw, id)).to.equal('converted');
    workers.push(spawnWorker({}, ['--only', 'sign,route,deliver']));
    await waitFor('delivered to both', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id]);
      return r.rows[0].n === recipients.length;
    }, { timeoutMs: 90_000, recheckMs: 250 });
  });

  it('when --only names an unknown stage, then the process refuses to start and names the stages', async () => {
    const bad = spawnWorker({}, ['--only', 'convert,teleport']);
    await new Promise<void>((r) => bad.child.once('exit', () => r()));
    expect(bad.child.exitCode).to.equal(1);
    expect(bad.output()).to.match(/--only takes stages among convert, sign/).and.to.include('teleport');
  });
});
