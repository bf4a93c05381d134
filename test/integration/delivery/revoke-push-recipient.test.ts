import { expect } from 'chai';
import { parseEdxml } from '../../../services/edxml';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'recipient-system-secret';

describe('revoke reaches a push recipient as status 13', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;

  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await worker?.stop();
    await gw.close();
  });

  it('when the sender revokes a document a push recipient received, then the recipient system gets a signed edXML status 13 answering for it, with the reason', async () => {
    const receiver = await startPushReceiver(SECRET, ['ok']);
    try {
      const [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
      const [pushed] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET, pushFormat: 'edxml' })) as [TestAgency];
      worker = spawnWorker({ LIENTHONG_RETRY_BASE_MS: '200', LIENTHONG_RETRY_MAX_MS: '400' });
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([pushed.code]), await makePdf(1)));
      expect(posted.status).to.equal(202);
      const dispatchId = await waitFor('the push delivered', async () => {
        const r = await gw.db.query(`SELECT id, status FROM dispatches WHERE document_id = $1`, [posted.body.id]);
        return r.rows[0]?.status === 'delivered' ? (r.rows[0].id as string) : undefined;
      });
      const revoke = await fetch(`${gw.baseUrl}/v1/documents/${posted.body.id}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sender.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'Sai thể thức, thu hồi để ban hành lại' }),
      });
      expect(revoke.status).to.equal(200);
      const status = await waitFor('status 13 at the recipient system', async () => [...receiver.accepted.values()].find((p) => p.deliveryId.startsWith(`${dispatchId}:`)), { recheckMs: 200 });
      expect(status.signatureValid).to.equal(true);
      const msg = parseEdxml(status.raw);
      expect(msg.kind).to.equal('status');
      if (msg.kind !== 'status') return;
      expect(msg.status.statusCode).to.equal('13');
      expect(msg.status.from.organId).to.equal(sender.code);
      expect(msg.status.description).to.equal('Sai thể thức, thu hồi để ban hành lại');
      expect(receiver.accepted.size, 'the document and its revoke').to.equal(2);
    } finally {
      await receiver.close();
    }
  });
});
