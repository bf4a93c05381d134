import { expect } from 'chai';
import { retryAfterMs } from '../../../workers/delivery/signed-post';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { startRecordingServer, type RecordingServer } from '../../support/hostile-receivers';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

/**
 * A receiver answering 429 or 503 with Retry-After is not knocked on again before the time it asked
 * for (seconds or an HTTP-date), and the clerk's nextAttemptAt shows that time.
 */
const SECRET = 'a-test-webhook-secret-of-the-agency';
const FAST = {
  LIENTHONG_RETRY_BASE_MS: '200',
  LIENTHONG_RETRY_MAX_MS: '400',
  LIENTHONG_PUSH_TIMEOUT_MS: '3000',
  LIENTHONG_PUSH_BODY_TIMEOUT_MS: '1000',
  LIENTHONG_PUSH_CONNECT_TIMEOUT_MS: '3000',
};

describe('push retries honour Retry-After on 429 and 503', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let worker: WorkerProcess | undefined;
  const servers: RecordingServer[] = [];

  before(async () => {
    gw = await startGateway();
    [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
  });
  after(async () => {
    await worker?.stop();
    await Promise.all(servers.map((s) => s.close()));
    await gw.close();
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-12-07T05:00:00Z');
    expect(retryAfterMs('120', now)).to.equal(120_000);
    expect(retryAfterMs(' 0 ', now)).to.equal(0);
    expect(retryAfterMs('Mon, 07 Dec 2026 05:02:00 GMT', now)).to.equal(120_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 04:00:00 GMT', now), 'a date in the past').to.equal(0);
    expect(retryAfterMs(undefined, now)).to.equal(null);
    expect(retryAfterMs('soon', now)).to.equal(null);
    expect(retryAfterMs('-5', now)).to.equal(null);
  });

  it('when the receiver answers 429 Retry-After: 120 or 503 with a date 90 s ahead, then no attempt comes before that time and nextAttemptAt shows it', async () => {
    const busy = await startRecordingServer((_q, res) => res.writeHead(429, { 'retry-after': '120' }).end('busy'));
    const down = await startRecordingServer((_q, res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }).end('maintenance'));
    servers.push(busy, down);
    const [a429] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${busy.url}/inbox`, secret: SECRET, pushReceipt: false })) as [TestAgency];
    const [a503] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${down.url}/inbox`, secret: SECRET, pushReceipt: false })) as [TestAgency];
    worker = spawnWorker(FAST);
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([a429.code, a503.code]), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const rows = await waitFor('a failed attempt on each dispatch', async () => {
      const r = await gw.db.query<{ recipient: string; attempts: number; lastError: string | null; nextAttemptAt: Date | null }>(
        `SELECT recipient_code AS recipient, attempts, last_error AS "lastError", next_attempt_at AS "nextAttemptAt" FROM dispatches WHERE document_id = $1`,
        [posted.body.id],
      );
      return r.rows.length === 2 && r.rows.every((x) => x.lastError && x.nextAttemptAt) ? r.rows : undefined;
    }, { timeoutMs: 60_000 });
    const seen = Date.now();
    const of = (code: string) => rows.find((x) => x.recipient === code)!;
    const ahead = (code: string) => new Date(of(code).nextAttemptAt!).getTime() - seen;
    expect(ahead(a429.code), 'nextAttemptAt after 429 Retry-After: 120').to.be.within(100_000, 121_000);
    expect(ahead(a503.code), 'nextAttemptAt after 503 Retry-After: <date 90 s ahead>').to.be.within(70_000, 91_000);
    expect(of(a429.code).lastError).to.match(/HTTP 429.*thử lại sau 120 giây/);
    // With its own backoff (0.2–0.4 s) the worker would have tried many times by now.
    await new Promise((r) => setTimeout(r, 5000));
    expect(busy.requests, 'requests to the 429 receiver').to.have.length(1);
    expect(down.requests, 'requests to the 503 receiver').to.have.length(1);
  });
});
