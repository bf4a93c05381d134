import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { allDelivered } from '../../support/delivery-audit';
import { sampleEdxml } from '../../support/fuzz-inputs';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { testEnv } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const WEBHOOK_SECRET = 'whsec-log-sweep-7f3a9c1e5b';

/**
 * A whole exchange at debug level, gateway and workers as real processes: submit (JSON, multipart,
 * edXML), hosted and push delivery with a webhook secret, signing with sealed keys, statuses, a
 * revoke, refused keys. Then no secret may appear anywhere in what they printed.
 */
describe('secrets never reach the logs, even at LOG_LEVEL=debug', function () {
  this.timeout(120_000);
  let db: Db;
  let gw: GatewayProcess;
  let worker: WorkerProcess;
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  let sender: TestAgency;
  let hosted: TestAgency;
  let pushed: TestAgency;

  const call = async (method: string, path: string, key: string, body?: string, contentType = 'application/json') => {
    const res = await fetch(`${gw.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': contentType } : {}) }, ...(body ? { body } : {}) });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    receiver = await startPushReceiver(WEBHOOK_SECRET, ['fail500', 'ok']);
    [sender, hosted] = (await createAgencies(db, 2)) as [TestAgency, TestAgency];
    [pushed] = (await createAgencies(db, 1, { channel: 'push', endpointUrl: receiver.url, secret: WEBHOOK_SECRET })) as [TestAgency];
    const debug = { LOG_LEVEL: 'debug', LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '300' };
    gw = await spawnGateway(debug);
    worker = spawnWorker(debug);
  });
  after(async () => {
    await worker.stop();
    await gw.stop();
    await receiver.close();
    await db.end();
  });

  it('when a full exchange runs, then neither API keys, webhook secrets, the master key nor private keys are printed', async () => {
    const pdf = await makePdf(1);
    const recipients = [hosted.code, pushed.code];
    const submitted = await call('POST', '/v1/documents', sender.apiKey, JSON.stringify({ metadata: metadataFor(recipients), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] }));
    expect(submitted.status).to.equal(202);
    const viaEdxml = await call('POST', '/v1/edxml', sender.apiKey, sampleEdxml({ pdf, senderCode: sender.code, senderName: sender.name, recipients }), 'application/xml');
    expect(viaEdxml.status).to.equal(202);
    const ids = [submitted.body.id as string, viaEdxml.body.id as string];
    const rows = await waitFor('both documents delivered to both recipients', () => allDelivered(db, ids, 2), { timeoutMs: 60_000 });
    const hostedCopy = rows.find((r) => r.recipient === hosted.code)!;
    expect((await call('POST', `/v1/inbox/${hostedCopy.id}/status`, hosted.apiKey, JSON.stringify({ code: '03', note: 'vào sổ' }))).status).to.equal(200);
    expect((await call('GET', `/v1/documents/${ids[0]}/edxml`, sender.apiKey)).status).to.equal(200);
    expect((await call('POST', `/v1/documents/${ids[1]}/revoke`, sender.apiKey, JSON.stringify({ reason: 'thu hồi' }))).status).to.equal(200);
    expect((await call('GET', '/v1/inbox', `lt_${'A'.repeat(43)}`)).status).to.equal(401);
    expect((await call('GET', '/v1/inbox', 'not-even-a-key')).status).to.equal(401);
    expect(receiver.attempts.length, 'the push was retried at least once').to.be.greaterThan(2);

    const logs = gw.output() + worker.output();
    expect(logs.length, 'the processes did log at debug level').to.be.greaterThan(1000);
    const secrets: Record<string, string> = {
      'sender API key': sender.apiKey,
      'hosted API key': hosted.apiKey,
      'push API key': pushed.apiKey,
      'refused API key': `lt_${'A'.repeat(43)}`,
      'API key body (without lt_)': sender.apiKey.slice(3),
      'webhook secret': WEBHOOK_SECRET,
      'master key': testEnv().masterKeyHex,
      'private key PEM': 'PRIVATE KEY',
      'Authorization header': 'Bearer ',
    };
    for (const [what, secret] of Object.entries(secrets)) expect(logs.includes(secret), `${what} appears in the logs`).to.equal(false);
  });
});
