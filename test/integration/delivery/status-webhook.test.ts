import { expect } from 'chai';
import { parseEdxml } from '../../../services/edxml';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'the-sending-agency-webhook-secret';
const FAST_RETRIES = { LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '400', LIENTHONG_PUSH_TIMEOUT_MS: '500' };

async function post(baseUrl: string, path: string, apiKey: string, body: unknown): Promise<number> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('statuses forwarded to a push-channel sender as signed webhooks', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;

  before(async () => {
    gw = await startGateway();
    receiver = await startPushReceiver(SECRET, ['ok']);
    worker = spawnWorker(FAST_RETRIES);
  });
  after(async () => {
    await worker.stop();
    await receiver.close();
    await gw.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(worker.output().slice(-3000));
  });

  async function sendToHosted(sender: TestAgency, recipient: TestAgency): Promise<{ id: string; dispatchId: string }> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const id = posted.body.id as string;
    const dispatchId = await waitFor('delivery', async () => {
      const inbox = await getJson(gw.baseUrl, '/v1/inbox', recipient.apiKey);
      return inbox.body.items.find((i: { documentId: string }) => i.documentId === id)?.dispatchId as string | undefined;
    });
    return { id, dispatchId };
  }

  it('when a hosted recipient posts 03 then 06 and the sender\'s endpoint fails the first attempt, then the sender gets both, signed, in order, once each', async () => {
    const [sender] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET, pushFormat: 'json' })) as [TestAgency];
    const [recipient] = (await createAgencies(gw.db, 1)) as [TestAgency];
    const { id, dispatchId } = await sendToHosted(sender, recipient);
    // The arrival (01, recorded by the hub) comes first, with the hub's signed receipt (issue 21).
    const arrival = await waitFor('the 01 webhook', async () => [...receiver.accepted.values()].find((p) => p.deliveryId.startsWith(`${dispatchId}:`) && p.body.code === '01'));
    expect(arrival.body.receipt.content).to.include({ dispatchId, statusCode: '01', documentId: id });
    expect(Buffer.from(arrival.body.receipt.cms, 'base64').length).to.be.greaterThan(500);
    receiver.setScript(['fail500', 'ok']);
    expect(await post(gw.baseUrl, `/v1/inbox/${dispatchId}/status`, recipient.apiKey, { code: '03', note: 'Vào sổ' })).to.equal(200);
    expect(await post(gw.baseUrl, `/v1/inbox/${dispatchId}/status`, recipient.apiKey, { code: '06' })).to.equal(200);

    const got = await waitFor('two webhooks', async () => {
      const mine = [...receiver.accepted.values()].filter((p) => p.deliveryId.startsWith(`${dispatchId}:`) && p.body.code !== '01');
      return mine.length === 2 ? mine : undefined;
    });
    expect(got.map((p) => p.body.code)).to.deep.equal(['03', '06']);
    const events = await gw.db.query(
      `SELECT id, code, notified_at AS "notifiedAt" FROM dispatch_events WHERE dispatch_id = $1 AND code IN ('03', '06') ORDER BY id`,
      [dispatchId],
    );
    got.forEach((p, i) => {
      const ev = events.rows[i];
      expect(p.signatureValid, 'HMAC of timestamp.body under the sender secret').to.equal(true);
      expect(p.contentType).to.contain('application/json');
      expect(p.deliveryId).to.equal(`${dispatchId}:${ev.id}`);
      expect(p.body).to.include({ deliveryId: p.deliveryId, documentId: id, dispatchId, recipient: recipient.code, code: ev.code });
      expect(Date.parse(p.body.at)).to.be.a('number').and.not.NaN;
    });
    expect(got[0]!.body.note).to.equal('Vào sổ');
    expect(got[0]!.body.receipt.content).to.include({ dispatchId, statusCode: '03' }); // registration: a receipt
    expect(got[1]!.body.receipt, '06 carries no receipt').to.equal(undefined);
    expect(receiver.attempts.filter((a) => !a.startsWith(`${arrival.deliveryId}:`))[0]).to.equal(`${dispatchId}:${events.rows[0].id}:fail500`);
    expect(receiver.duplicates()).to.equal(0);
    await waitFor('01, 03 and 06 marked notified', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatch_events WHERE dispatch_id = $1 AND notified_at IS NOT NULL`, [dispatchId]);
      return r.rows[0].n === 3;
    });
  });

  it('when an edXML-speaking sender revokes, then it gets the 13 as an edXML status message; a hosted sender gets no webhook', async () => {
    receiver.setScript(['ok']);
    const [sender] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET, pushFormat: 'edxml' })) as [TestAgency];
    const [hostedSender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    const pushed = await sendToHosted(sender, recipient);
    const quiet = await sendToHosted(hostedSender, recipient);
    expect(await post(gw.baseUrl, `/v1/documents/${pushed.id}/revoke`, sender.apiKey, { reason: 'Ban hành nhầm' })).to.equal(200);
    expect(await post(gw.baseUrl, `/v1/inbox/${quiet.dispatchId}/status`, recipient.apiKey, { code: '03' })).to.equal(200);
    const mine = () => [...receiver.accepted.values()].filter((p) => p.deliveryId.startsWith(`${pushed.dispatchId}:`));
    const got = await waitFor('the revoke webhook', async () => mine().find((p) => p.raw.includes('<edXML:StatusCode>13<')));
    // the arrival went before it, its signed receipt in the X-LienThong-Receipt header
    const arrival = mine().find((p) => p.raw.includes('<edXML:StatusCode>01<'));
    expect(arrival?.receiptHeader, 'the 01 status carries the receipt header').to.be.a('string');
    expect(got.receiptHeader).to.equal(undefined);
    expect(got.signatureValid).to.equal(true);
    expect(got.contentType).to.contain('application/xml');
    const message = parseEdxml(got.raw);
    expect(message.kind).to.equal('status');
    if (message.kind !== 'status') return;
    expect(message.status).to.deep.include({ statusCode: '13', description: 'Ban hành nhầm' });
    expect(message.status.from.organId).to.equal(sender.code);
    expect(message.status.responseFor.organId).to.equal(sender.code);
    const outbox = await gw.db.query(
      `SELECT count(*)::int AS n FROM outbox o JOIN dispatch_events e ON e.id = (o.payload->>'eventId')::bigint
        WHERE o.topic = 'notify' AND e.dispatch_id = $1`,
      [quiet.dispatchId],
    );
    expect(outbox.rows[0].n, 'no webhook owed to a hosted sender').to.equal(0);
  });
});
