import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

describe('fan-out: one province-wide notice to 500 agencies', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  const group = `fanout-${uniqueTag().toLowerCase()}`;

  before(async () => {
    gw = await startGateway();
    [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
    await createAgencies(gw.db, 500, { group, withCertificates: false });
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('when a document is sent to a 500-agency group, then all 500 dispatches are delivered exactly once (the time to the last delivery is reported)', async () => {
    const started = Date.now();
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([`group:${group}`], { urgency: 'flash' }), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const id = posted.body.id as string;
    await waitFor(
      '500 deliveries',
      async () => (await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rows[0].n === 500,
      { timeoutMs: 120_000 },
    );
    const elapsed = Date.now() - started;
    const check = await gw.db.query(
      `SELECT count(*)::int AS dispatches, count(DISTINCT recipient_code)::int AS recipients,
              (SELECT count(*)::int FROM ledger WHERE document_id = $1 AND kind = 'dispatch_delivered') AS ledger,
              (SELECT count(*)::int FROM dispatch_events e JOIN dispatches y ON y.id = e.dispatch_id WHERE y.document_id = $1 AND e.code = '01') AS arrived,
              bool_and(via_group = $2) AS "allViaGroup"
         FROM dispatches WHERE document_id = $1`,
      [id, group],
    );
    expect(check.rows[0]).to.deep.equal({ dispatches: 500, recipients: 500, ledger: 500, arrived: 500, allViaGroup: true });
    process.stdout.write(`      fan-out to 500 hosted recipients: ${elapsed} ms from POST to the last delivery (make bench measures it properly)\n`);
  });
});
