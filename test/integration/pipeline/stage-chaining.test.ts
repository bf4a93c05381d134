import { expect } from 'chai';
import pino from 'pino';
import { Stage } from '../../../contracts';
import { loadConfig, type Config } from '../../../services/config/config';
import type { Db } from '../../../services/db/pool';
import type { StageContext } from '../../../workers/runtime/stage-context';
import { chainsAfter, type NextStep } from '../../../workers/runtime/stage-chain';
import { convertStage } from '../../../workers/stages/convert.job';
import { deliverStage } from '../../../workers/stages/deliver.job';
import { routeStage } from '../../../workers/stages/route.job';
import { signStage } from '../../../workers/stages/sign.job';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const ALL = [Stage.convert, Stage.sign, Stage.route, Stage.deliver, Stage.notify];
const QUICK = { LIENTHONG_JOB_LOCK_MS: '2000', LIENTHONG_STALLED_INTERVAL_MS: '1000', LIENTHONG_RETRY_BASE_MS: '50', LIENTHONG_RETRY_MAX_MS: '100' };

async function outboxTopics(db: Db, documentId: string): Promise<string[]> {
  return (await db.query(`SELECT topic FROM outbox WHERE payload->>'documentId' = $1 ORDER BY id`, [documentId])).rows.map((r) => r.topic as string);
}

async function copies(db: Db, documentId: string): Promise<{ status: string; channel: string; arrived: number; ledger: number }[]> {
  return (
    await db.query(
      `SELECT x.status, x.channel,
              (SELECT count(*) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '01')::int AS arrived,
              (SELECT count(*) FROM ledger l WHERE l.dispatch_id = x.id AND l.kind = 'dispatch_delivered')::int AS ledger
         FROM dispatches x WHERE x.document_id = $1 ORDER BY x.recipient_code`,
      [documentId],
    )
  ).rows;
}

/**
 * Stage chaining (issue 25, workers/runtime/stage-chain.ts): a convert job signs, routes and
 * delivers the hosted copies itself when its process runs those stages — no outbox row and no job
 * for any of them — and a job taken over mid-chain resumes where the document is.
 */
describe('stage chaining: a convert job signs, routes and delivers the hosted copies itself', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let config: Config;
  let sender: TestAgency;
  let hosted: TestAgency[];
  let push: TestAgency;
  let worker: WorkerProcess | undefined;
  const log = pino({ level: 'silent' });
  const ctx = (stage: Stage): StageContext => ({ db: gw.db, config, log, attempt: 1, lastAttempt: false, chains: chainsAfter(stage, ALL, true) });

  async function accept(recipients: TestAgency[], extra: Record<string, unknown> = {}): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code), extra), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return posted.body.id as string;
  }
  /** Accepted with no worker running: its convert row is marked published, as if the relay had taken it. */
  async function acceptQuietly(recipients: TestAgency[]): Promise<string> {
    const id = await accept(recipients);
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    return id;
  }

  before(async () => {
    gw = await startGateway();
    config = loadConfig(process.env);
    const agencies = await createAgencies(gw.db, 4);
    sender = agencies[0]!;
    hosted = agencies.slice(1);
    push = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: 'http://127.0.0.1:9/never', secret: 'chain-secret' }))[0]!;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-4000));
    await worker?.stop();
    worker = undefined;
  });
  after(async () => {
    // Nothing enqueued here may reach a later suite's relay (the push copy's job above all).
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND payload->>'documentId' IN (
      SELECT id::text FROM documents WHERE sender_code = $1)`, [sender.code]);
    await gw.db.query(`DROP TRIGGER IF EXISTS chain_probe_fail ON documents`);
    await gw.db.query(`DROP FUNCTION IF EXISTS chain_probe_fail()`);
    await gw.close();
  });

  it('when this process runs every stage, then each step leaves the next to its job (no outbox row), and a push copy still gets its own job', async () => {
    const id = await acceptQuietly([...hosted, push]);
    // Each step hands its move on with the next (stage-chain.ts): the route's statement commits all three.
    const step = ({ carried: _, ...next }: NextStep) => next;
    const afterConvert = (await convertStage.run({ documentId: id }, ctx(Stage.convert)))!;
    expect(step(afterConvert)).to.deep.equal({ stage: Stage.sign, payload: { documentId: id } });
    expect(await outboxTopics(gw.db, id), 'no sign row: the job signs').to.deep.equal([Stage.convert]);

    const afterSign = (await signStage.run({ documentId: id }, { ...ctx(Stage.sign), carried: afterConvert.carried! }))!;
    expect(step(afterSign)).to.deep.equal({ stage: Stage.route, payload: { documentId: id } });
    expect(await outboxTopics(gw.db, id), 'no route row: the job routes').to.deep.equal([Stage.convert]);

    const afterRoute = await routeStage.run({ documentId: id }, { ...ctx(Stage.route), carried: afterSign.carried! });
    expect(afterRoute).to.deep.equal({ stage: Stage.deliver, payload: { documentId: id, hosted: true } });
    const rows = (await gw.db.query(`SELECT topic, payload FROM outbox WHERE payload->>'documentId' = $1 AND topic = 'deliver'`, [id])).rows;
    expect(rows.map((r) => Object.keys(r.payload).sort()), 'only the push copy has a deliver job').to.deep.equal([['dispatchId', 'documentId']]);

    expect(await deliverStage.run({ documentId: id, hosted: true }, ctx(Stage.deliver))).to.equal(undefined);
    const after = await copies(gw.db, id);
    expect(after.filter((c) => c.channel === 'hosted').map((c) => [c.status, c.arrived, c.ledger])).to.deep.equal(hosted.map(() => ['delivered', 1, 1]));
    expect(after.filter((c) => c.channel === 'push').map((c) => c.status)).to.deep.equal(['pending']);
  });

  it('when a convert, sign or route job runs again after its own move (its worker killed mid-chain), then it resumes the step the document waits for', async () => {
    const id = await acceptQuietly(hosted);
    // Each move committed on its own (no later step in the job carries it), its outbox row marked sent.
    const alone = async (stage: { run(p: { documentId: string }, c: StageContext): Promise<unknown> }) => {
      await stage.run({ documentId: id }, { ...ctx(Stage.convert), chains: new Set() });
      await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    };
    await alone(convertStage);
    // Converted, not signed: the convert job taken over signs.
    expect(await convertStage.run({ documentId: id }, ctx(Stage.convert))).to.deep.equal({ stage: Stage.sign, payload: { documentId: id } });
    expect(await convertStage.run({ documentId: id }, { ...ctx(Stage.convert), chains: new Set() }), 'not chained here: the outbox row is the hand-off').to.equal(undefined);
    await alone(signStage);
    expect(await convertStage.run({ documentId: id }, ctx(Stage.convert)), 'signed: the convert job resumes at route').to.deep.equal({ stage: Stage.route, payload: { documentId: id } });
    // Signed, not routed: the job taken over routes.
    expect(await signStage.run({ documentId: id }, ctx(Stage.sign))).to.deep.equal({ stage: Stage.route, payload: { documentId: id } });
    expect(await signStage.run({ documentId: id }, { ...ctx(Stage.sign), chains: new Set() }), 'not chained here: the outbox row is the hand-off').to.equal(undefined);
    await routeStage.run({ documentId: id }, ctx(Stage.route));
    // Routed, copies open: both jobs resume the hosted deliveries.
    expect(await signStage.run({ documentId: id }, ctx(Stage.sign))).to.deep.equal({ stage: Stage.deliver, payload: { documentId: id, hosted: true } });
    expect(await routeStage.run({ documentId: id }, ctx(Stage.route))).to.deep.equal({ stage: Stage.deliver, payload: { documentId: id, hosted: true } });
    expect((await copies(gw.db, id)).map((c) => c.status), 'resuming wrote nothing by itself').to.deep.equal(hosted.map(() => 'pending'));
    await deliverStage.run({ documentId: id, hosted: true }, ctx(Stage.deliver));
    await deliverStage.run({ documentId: id, hosted: true }, ctx(Stage.deliver));
    expect((await copies(gw.db, id)).map((c) => [c.status, c.arrived, c.ledger]), 'delivered once').to.deep.equal(hosted.map(() => ['delivered', 1, 1]));
  });

  it('when a worker runs every stage, then a document arrives with one job (convert) and no sign, route or deliver row; with LIENTHONG_STAGE_CHAINING=0 it takes four', async () => {
    worker = spawnWorker({ ...QUICK, LOG_LEVEL: 'info' });
    const id = await accept(hosted);
    await waitFor('the chained document delivered', async () => (await copies(gw.db, id)).every((c) => c.status === 'delivered'), { timeoutMs: 90_000 });
    expect((await copies(gw.db, id)).map((c) => [c.arrived, c.ledger])).to.deep.equal(hosted.map(() => [1, 1]));
    expect(await outboxTopics(gw.db, id)).to.deep.equal([Stage.convert]);
    // The worker logs each step after its commit: the copies can read as delivered before the last
    // line is written, so wait for the lines too rather than read the output at once.
    const logged = () =>
      worker!.output().split('\n').filter((l) => l.includes(id)).flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return []; // a line still being written
        }
      });
    await waitFor('the chain\'s sign, route and deliver lines logged', async () => ['signed', 'routed', 'delivered'].every((m) => logged().some((l) => l.msg === m)), {
      timeoutMs: 30_000,
      recheckMs: 100,
    });
    const lines = logged();
    const signed = lines.find((l) => l.msg === 'signed');
    const routed = lines.find((l) => l.msg === 'routed');
    const delivered = lines.find((l) => l.msg === 'delivered');
    expect(signed, 'the sign step logs as sign, in the convert job').to.include({ mod: 'stage.sign', stage: 'sign', chainedFrom: 'convert', jobId: `convert-${id}` });
    expect(routed).to.include({ mod: 'stage.route', stage: 'route', chainedFrom: 'convert', jobId: `convert-${id}` });
    expect(delivered).to.include({ mod: 'stage.deliver', stage: 'deliver', chainedFrom: 'convert', jobId: `convert-${id}` });
    await worker.stop();

    worker = spawnWorker({ ...QUICK, LIENTHONG_STAGE_CHAINING: '0' });
    const unchained = await accept(hosted);
    await waitFor('the unchained document delivered', async () => (await copies(gw.db, unchained)).every((c) => c.status === 'delivered'), { timeoutMs: 90_000 });
    expect(await outboxTopics(gw.db, unchained)).to.deep.equal([Stage.convert, Stage.sign, Stage.route, Stage.deliver]);
  });

  it('when a chained route step keeps failing, then after the last attempt the document is failed at route, not at convert', async () => {
    // The route move fails for this document only, however often it is tried.
    await gw.db.query(`CREATE FUNCTION chain_probe_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'chain probe: route refused'; END $$`);
    await gw.db.query(`CREATE TRIGGER chain_probe_fail BEFORE UPDATE OF status ON documents FOR EACH ROW
      WHEN (NEW.status = 'routed' AND NEW.subject = 'chain probe: route refused') EXECUTE FUNCTION chain_probe_fail()`);
    worker = spawnWorker({ ...QUICK, LOG_LEVEL: 'info' });
    const id = await accept(hosted, { subject: 'chain probe: route refused' });
    const failed = await waitFor(
      'the document failed after its attempts',
      async () => (await gw.db.query(`SELECT status, failed_stage AS "failedStage", last_error AS "lastError" FROM documents WHERE id = $1 AND status = 'failed'`, [id])).rows[0],
      { timeoutMs: 120_000 },
    );
    expect(failed).to.include({ failedStage: 'route' });
    expect(failed.lastError).to.contain('chain probe: route refused');
    const attempts = worker.output().split('\n').filter((l) => l.includes(id) && l.includes('stage attempt failed')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(attempts.length).to.be.greaterThan(1);
    for (const a of attempts) expect(a).to.include({ mod: 'stage.route', chainedFrom: 'convert' });
    expect((await copies(gw.db, id)).map((c) => c.status)).to.deep.equal(hosted.map(() => 'failed'));
  });
});
