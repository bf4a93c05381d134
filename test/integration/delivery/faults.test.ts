import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import IORedis from 'ioredis';
import { startEmbeddedRedis, type EmbeddedServer } from '../../../infra/embedded/embedded-redis';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { allDelivered } from '../../support/delivery-audit';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { stepHeld, unfinishedJobs } from '../../support/queue-probe';
import { testEnv } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SECRET = 'fault-drill-secret';
const QUICK = { LIENTHONG_JOB_LOCK_MS: '2000', LIENTHONG_STALLED_INTERVAL_MS: '1000', LIENTHONG_RETRY_BASE_MS: '100', LIENTHONG_RETRY_MAX_MS: '500' };

/**
 * Faults with real processes: a worker killed in each stage, Redis killed and restarted, Redis
 * flushed. This suite runs its own Redis (in a temporary folder) so it can kill it; PostgreSQL is
 * the shared test instance. After each fault every document must reach every recipient exactly once.
 */
describe('faults: nothing is lost and nothing arrives twice', function () {
  this.timeout(180_000);
  let redisDir: string;
  let redis: EmbeddedServer;
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
  const workers: WorkerProcess[] = [];
  const env = () => ({ ...QUICK, REDIS_URL: redis.url });
  const worker = (extra: Record<string, string> = {}) => {
    const w = spawnWorker({ ...env(), ...extra });
    workers.push(w);
    return w;
  };

  async function submit(): Promise<string> {
    const res = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), await makePdf(1)));
    expect(res.status).to.equal(202);
    return res.body.id;
  }

  /** Every dispatch delivered once: one 01 event, one ledger row, one accepted push per delivery id. */
  async function expectExactlyOnce(ids: string[]): Promise<void> {
    const rows = await waitFor(`all ${ids.length} documents delivered`, () => allDelivered(gw.db, ids, recipients.length), { timeoutMs: 90_000 });
    for (const x of rows) expect(x, `dispatch ${x.id}`).to.include({ arrived: 1, ledger: 1 });
    const pushed = rows.filter((x) => x.channel === 'push');
    expect(pushed.length).to.equal(ids.length);
    for (const x of pushed) expect(receiver.accepted.has(x.id), `push ${x.id} received`).to.equal(true);
    expect(receiver.duplicates(), 'the receiver saw no second delivery with the same id').to.equal(0);
  }

  before(async () => {
    redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-fault-redis-'));
    redis = await startEmbeddedRedis({ dir: redisDir });
    gw = await startGateway({ REDIS_URL: redis.url });
    receiver = await startPushReceiver(SECRET, ['ok']);
    const agencies = await createAgencies(gw.db, 3);
    sender = agencies[0]!;
    recipients = agencies.slice(1);
    recipients.push(...(await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret: SECRET })));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const w of workers) process.stderr.write(w.output().slice(-2000));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  after(async () => {
    await receiver.close();
    await gw.close();
    await redis.stop();
    fs.rmSync(redisDir, { recursive: true, force: true });
  });

  for (const stage of ['convert', 'sign', 'route', 'deliver']) {
    it(`when a worker is killed with -9 during ${stage}, then another worker finishes and every recipient gets the document once`, async () => {
      const doomed = worker({ LIENTHONG_FAULT_DELAY: `${stage}:600000` });
      const id = await submit();
      await waitFor(`a ${stage} step running`, async () => stepHeld(doomed.output(), stage, id), { recheckMs: 100 });
      await doomed.kill9();
      worker();
      await expectExactlyOnce([id]);
    });
  }

  it('when Redis is killed with documents in flight and restarted, then the work resumes and arrives once', async () => {
    const w = worker({ LIENTHONG_FAULT_DELAY: 'route:1500' });
    const first = await Promise.all([submit(), submit()]);
    await waitFor('documents in the pipeline', async () => first.some((id) => stepHeld(w.output(), 'route', id)));
    redis.kill('SIGKILL');
    const duringOutage = await submit(); // the gateway keeps accepting: the outbox holds the hand-off
    redis = await startEmbeddedRedis({ dir: redisDir });
    await expectExactlyOnce([...first, duringOutage]);
  });

  it('when Redis loses everything (FLUSHALL), then the sweeper rebuilds the queues from PostgreSQL and every document arrives once', async () => {
    // One job at a time, held in its sign step: the other two documents' jobs wait in Redis and
    // are lost with it (convert jobs when the worker chains sign into convert, sign jobs when not);
    // only the sweeper can bring them back.
    const w = worker({
      LIENTHONG_FAULT_DELAY: 'sign:2000',
      LIENTHONG_WORKER_CONCURRENCY: '1',
      LIENTHONG_SWEEP_INTERVAL_MS: '1000',
      LIENTHONG_SWEEP_AGE_MS: '3000',
      LOG_LEVEL: 'info',
    });
    const ids = await Promise.all([submit(), submit(), submit()]);
    await waitFor('one document in its sign step, two jobs waiting in Redis', async () => {
      if (!ids.some((id) => stepHeld(w.output(), 'sign', id))) return false;
      const r = await gw.db.query(`SELECT count(*) FILTER (WHERE status IN ('accepted', 'converted'))::int AS waiting FROM documents WHERE id = ANY($1::uuid[])`, [ids]);
      if (r.rows[0].waiting !== 3) return false;
      return Object.values(await unfinishedJobs(redis.url, testEnv().queuePrefix)).reduce((a, b) => a + b, 0) >= 3;
    });
    const conn = new IORedis(redis.url);
    await conn.flushall();
    await conn.quit();
    await expectExactlyOnce(ids);
    expect(w.output()).to.contain('sweeper re-published unfinished work');
  });
});
