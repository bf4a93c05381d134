import { expect } from 'chai';
import { dispatchCommand } from '../../../services/cli/commands/dispatch.command';
import type { CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'a-test-webhook-secret-of-the-agency';
const FAST_RETRIES = { LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '400', LIENTHONG_PUSH_TIMEOUT_MS: '500' };

async function dispatchOf(gw: RunningGateway, documentId: string) {
  const r = await gw.db.query(`SELECT id, status, attempts, last_error AS "lastError" FROM dispatches WHERE document_id = $1`, [documentId]);
  return r.rows[0] as { id: string; status: string; attempts: number; lastError: string | null };
}

describe('push delivery to an agency system', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let worker: WorkerProcess | undefined;

  before(async () => {
    gw = await startGateway();
    [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
  });
  after(async () => {
    await worker?.stop();
    await gw.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-3000));
    await worker?.stop();
    worker = undefined;
  });

  it('when the receiver fails twice, times out once, then recovers, then the document arrives exactly once with a valid HMAC', async () => {
    const receiver = await startPushReceiver(SECRET, ['fail500', 'fail500', 'timeout', 'ok']);
    try {
      const [target] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET })) as [TestAgency];
      worker = spawnWorker(FAST_RETRIES);
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([target.code]), await makePdf(1)));
      expect(posted.status).to.equal(202);
      const d = await waitFor('the push to succeed', async () => {
        const x = await dispatchOf(gw, posted.body.id);
        return x.status === 'delivered' ? x : undefined;
      });
      expect(receiver.attempts.map((a) => a.split(':')[1])).to.deep.equal(['fail500', 'fail500', 'timeout', 'ok']);
      expect(receiver.accepted.size).to.equal(1);
      expect(receiver.duplicates()).to.equal(0);
      const got = receiver.accepted.get(d.id)!;
      expect(got.signatureValid, 'HMAC of timestamp.body under the agency secret').to.equal(true);
      expect(got.body.deliveryId).to.equal(d.id);
      expect(got.body.document.id).to.equal(posted.body.id);
      expect(Buffer.from(got.body.files[0].contentBase64, 'base64').subarray(0, 5).toString()).to.equal('%PDF-');
      expect(d.attempts).to.equal(4);
    } finally {
      await receiver.close();
    }
  });

  it('when the receiver stays down past the retry budget, then the dispatch fails with the last error and an alert, and an operator retry delivers it', async () => {
    const receiver = await startPushReceiver(SECRET, ['fail500']);
    try {
      const [target] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET })) as [TestAgency];
      worker = spawnWorker({ ...FAST_RETRIES, LIENTHONG_DELIVERY_BUDGET_MS: '1500', LOG_LEVEL: 'error' });
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([target.code]), await makePdf(1)));
      const failed = await waitFor('the dispatch to fail', async () => {
        const x = await dispatchOf(gw, posted.body.id);
        return x.status === 'failed' ? x : undefined;
      });
      expect(failed.lastError).to.match(/^đã thử \d+ lần .*lỗi cuối: điểm nhận trả lời HTTP 500/);
      expect(receiver.accepted.size).to.equal(0);
      await waitFor('the alert in the worker log', async () => worker!.output().includes('ALERT: dispatch failed'), { recheckMs: 100 });
      const ledger = await gw.db.query(`SELECT count(*)::int AS n FROM ledger WHERE dispatch_id = $1 AND kind = 'dispatch_failed'`, [failed.id]);
      expect(ledger.rows[0].n).to.equal(1);

      receiver.setScript(['ok']);
      const printed: unknown[] = [];
      const ctx: CliContext = { db: gw.db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
      expect(await dispatchCommand(['retry', failed.id], ctx)).to.equal(0);
      expect(printed).to.deep.equal([{ retried: [failed.id] }]);
      await waitFor('delivery after the operator retry', async () => (await dispatchOf(gw, posted.body.id)).status === 'delivered');
      expect(receiver.accepted.size).to.equal(1);
      expect(receiver.accepted.get(failed.id)!.signatureValid).to.equal(true);
    } finally {
      await receiver.close();
    }
  });
});
