import { expect } from 'chai';
import { INTERRUPTED_ATTEMPT_ERROR } from '../../../services/domain/dispatches/attempt-outcome';
import { listPushAttempts } from '../../../services/domain/dispatches/push-attempts.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'a-secret-of-the-agency-whose-push-is-cut';
// A short job lock, so the killed worker's job is found stalled and retried within seconds.
const QUICK = { LIENTHONG_JOB_LOCK_MS: '2000', LIENTHONG_STALLED_INTERVAL_MS: '1000', LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '400' };

interface AttemptRow {
  attempt: number;
  outcome: string;
  error: string | null;
  proof: string | null;
  startedAt: Date | null;
}

async function copyOf(gw: RunningGateway, documentId: string) {
  const r = await gw.db.query(`SELECT id, status, attempts FROM dispatches WHERE document_id = $1`, [documentId]);
  return r.rows[0] as { id: string; status: string; attempts: number } | undefined;
}

async function attemptRows(gw: RunningGateway, dispatchId: string): Promise<AttemptRow[]> {
  const r = await gw.db.query(`SELECT attempt, outcome, error, proof, started_at AS "startedAt" FROM dispatch_attempts WHERE dispatch_id = $1 ORDER BY id`, [dispatchId]);
  return r.rows;
}

/**
 * A real worker process killed (-9) while its push request is on the wire: the receiver has the
 * request and never answers, the worker waits for the answer, and dies. The attempt it counted
 * must be in the copy's history (not vanish), and read as interrupted once the job is retried.
 */
describe('push delivery: a worker killed during a push attempt', function () {
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

  it('when the worker is killed with its request unanswered, then the counted attempt has its row, marked interrupted when the retry starts, and the retry delivers once', async () => {
    // The first request is held unanswered (the worker waits up to 10 minutes for it); the next is accepted.
    const receiver = await startPushReceiver(SECRET, ['timeout', 'ok']);
    try {
      const [target] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET })) as [TestAgency];
      worker = spawnWorker({ ...QUICK, LIENTHONG_PUSH_TIMEOUT_MS: '600000' });
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([target.code]), await makePdf(1)));
      expect(posted.status).to.equal(202);
      const copy = await waitFor('the push request to reach the receiver', async () => {
        const x = await copyOf(gw, posted.body.id);
        return x && receiver.attempts.some((a) => a.startsWith(`${x.id}:`)) ? x : undefined;
      }, { recheckMs: 50, timeoutMs: 60_000 });
      await worker.kill9();
      worker = undefined;

      // Dead mid-attempt: the attempt is counted, and it is in the history, under way.
      const atDeath = await copyOf(gw, posted.body.id);
      expect(atDeath).to.include({ status: 'delivering', attempts: 1 });
      const rowsAtDeath = await attemptRows(gw, copy.id);
      expect(rowsAtDeath.map((a) => [a.attempt, a.outcome]), 'one row for the one counted attempt').to.deep.equal([[1, 'started']]);
      expect(rowsAtDeath[0]!.startedAt).to.be.instanceOf(Date);

      // BullMQ finds the job stalled and another worker runs it: a new attempt, which delivers.
      worker = spawnWorker(QUICK);
      const delivered = await waitFor('the retried push to deliver', async () => {
        const x = await copyOf(gw, posted.body.id);
        return x?.status === 'delivered' ? x : undefined;
      }, { timeoutMs: 60_000 });
      const rows = await attemptRows(gw, copy.id);
      expect(rows.length, 'every counted attempt has its row').to.equal(delivered.attempts);
      expect(rows.map((a) => [a.attempt, a.outcome, a.proof])).to.deep.equal([
        [1, 'interrupted', null],
        [2, 'delivered', 'http-2xx'],
      ]);
      expect(rows[0]!.error).to.equal(INTERRUPTED_ATTEMPT_ERROR);

      // The history as it is read (newest first): nothing left under way, the interruption explained.
      const listed = await listPushAttempts(gw.db, copy.id);
      expect(listed.map((a) => [a.attempt, a.outcome, a.httpStatus])).to.deep.equal([
        [2, 'delivered', 200],
        [1, 'interrupted', null],
      ]);
      expect(listed[1]!.error).to.equal(INTERRUPTED_ATTEMPT_ERROR);
      expect(listed.every((a) => typeof a.startedAt === 'string')).to.equal(true);

      // The same delivery id both times: the receiver keeps one copy.
      expect(receiver.attempts.filter((a) => a.startsWith(`${copy.id}:`))).to.deep.equal([`${copy.id}:timeout`, `${copy.id}:ok`]);
      expect(receiver.accepted.has(copy.id)).to.equal(true);
      expect(receiver.duplicates()).to.equal(0);
    } finally {
      await receiver.close();
    }
  });

  it('when a row is still started on a copy that is closed (no attempt left to mark it), then the history reads it as interrupted', async () => {
    const receiver = await startPushReceiver(SECRET, ['ok']);
    try {
      const [target] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET })) as [TestAgency];
      worker = spawnWorker(QUICK);
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([target.code]), await makePdf(1)));
      const copy = await waitFor('the push to deliver', async () => {
        const x = await copyOf(gw, posted.body.id);
        return x?.status === 'delivered' ? x : undefined;
      });
      // Stands for a second run of the job that began after the delivering run and died before
      // the delivery was recorded: its row stays 'started' with the copy closed.
      await gw.db.query(`INSERT INTO dispatch_attempts (dispatch_id, attempt, outcome, started_at) VALUES ($1, 2, 'started', now())`, [copy.id]);
      const listed = await listPushAttempts(gw.db, copy.id);
      expect(listed.map((a) => [a.attempt, a.outcome])).to.deep.equal([
        [2, 'interrupted'],
        [1, 'delivered'],
      ]);
      expect(listed[0]!.error).to.equal(INTERRUPTED_ATTEMPT_ERROR);
    } finally {
      await receiver.close();
    }
  });
});
