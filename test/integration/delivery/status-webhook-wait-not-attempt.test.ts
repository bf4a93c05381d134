import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'status-webhook-wait-secret';
const FAST_RETRIES = { LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '400', LIENTHONG_PUSH_TIMEOUT_MS: '2000' };

interface Post {
  deliveryId: string;
  attempt: number;
  code: string;
  answered: number;
}

/** A sender's receiver that fails the first `failFirst` tries of one status code and records X-LienThong-Attempt of every POST. */
async function startReceiver() {
  const posts: Post[] = [];
  let failCode = '';
  let failFirst = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let code = '';
      try {
        code = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code ?? '');
      } catch {
        code = '?';
      }
      const deliveryId = String(req.headers['x-lienthong-delivery'] ?? '');
      const tries = posts.filter((p) => p.deliveryId === deliveryId).length;
      const answered = code === failCode && tries < failFirst ? 500 : 200;
      posts.push({ deliveryId, attempt: Number(req.headers['x-lienthong-attempt']), code, answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end(answered === 200 ? JSON.stringify({ deliveryId }) : '{"error":"not now"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    posts,
    failing(code: string, times: number) {
      failCode = code;
      failFirst = times;
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('status webhooks: waiting for the earlier status is not an attempt', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    gw = await startGateway();
    receiver = await startReceiver();
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

  it('when the receiver fails the first tries of 03 and 04, 05, 06 are queued behind it, then each later status\'s first POST says X-LienThong-Attempt: 1, and all arrive in order', async () => {
    const [sender] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET, pushFormat: 'json' })) as [TestAgency];
    const [recipient] = (await createAgencies(gw.db, 1)) as [TestAgency];
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const dispatchId = await waitFor('delivery', async () => {
      const inbox = await getJson(gw.baseUrl, '/v1/inbox', recipient.apiKey);
      return inbox.body.items.find((i: { documentId: string }) => i.documentId === posted.body.id)?.dispatchId as string | undefined;
    });
    await waitFor('the 01 webhook', async () => receiver.posts.find((p) => p.deliveryId.startsWith(`${dispatchId}:`) && p.code === '01' && p.answered === 200));

    receiver.failing('03', 4);
    for (const code of ['03', '04', '05', '06']) {
      const res = await fetch(`${gw.baseUrl}/v1/inbox/${dispatchId}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${recipient.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      expect(res.status, code).to.equal(200);
    }
    const mine = () => receiver.posts.filter((p) => p.deliveryId.startsWith(`${dispatchId}:`) && p.code !== '01');
    await waitFor('03–06 accepted', async () => (mine().filter((p) => p.answered === 200).length === 4 ? true : undefined), { timeoutMs: 90_000 });

    const posts = mine();
    expect(posts.filter((p) => p.code === '03').map((p) => p.attempt), '03: four failures, then the fifth try').to.deep.equal([1, 2, 3, 4, 5]);
    for (const code of ['04', '05', '06']) {
      const own = posts.filter((p) => p.code === code);
      expect(own.map((p) => p.attempt), `${code}: its first POST is its first attempt`).to.deep.equal([1]);
    }
    expect(posts.filter((p) => p.answered === 200).map((p) => p.code), 'in order').to.deep.equal(['03', '04', '05', '06']);
    // Nothing went out of order: no later status was POSTed before 03 was accepted.
    const firstOk03 = posts.findIndex((p) => p.code === '03' && p.answered === 200);
    expect(posts.slice(0, firstOk03).every((p) => p.code === '03')).to.equal(true);
  });
});
