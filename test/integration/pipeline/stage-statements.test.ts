import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { Stage, type JobPayload } from '../../../contracts';
import { loadConfig, type Config } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { isWrite, RoundTripCounter } from '../../../services/db/round-trips';
import { currentCertificate } from '../../../services/domain/pki/agency-certificate.repository';
import { issueDevCertificate } from '../../../services/domain/pki/dev-pki';
import { loadForStage } from '../../../services/domain/documents/document-stages.repository';
import { whatFollows } from '../../../services/pipeline/stage-order';
import { priorityOf } from '../../../services/pipeline/priority';
import type { StageContext, StageHandler } from '../../../workers/runtime/stage-context';
import { convertStage } from '../../../workers/stages/convert.job';
import { routeStage } from '../../../workers/stages/route.job';
import { deliverStage } from '../../../workers/stages/deliver.job';
import { signStage } from '../../../workers/stages/sign.job';
import { signingIdentityFor } from '../../../workers/stages/signing-identities';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv } from '../../support/test-env';

/** What a document's run of the pipeline left: its row, its files, its outbox rows. */
async function footprint(db: Db, documentId: string) {
  const doc = (await db.query(`SELECT status, updated_at, page_count, signature_level, signature_note FROM documents WHERE id = $1`, [documentId])).rows[0];
  const files = (await db.query(`SELECT role, blob_sha256, name FROM document_files WHERE document_id = $1 ORDER BY role`, [documentId])).rows;
  const outbox = (await db.query(`SELECT id, topic, payload, priority FROM outbox WHERE payload->>'documentId' = $1 ORDER BY id`, [documentId])).rows;
  const dispatches = (await db.query(`SELECT id, channel, status, updated_at FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [documentId])).rows;
  const blobs = (await db.query(`SELECT count(*)::int AS n FROM blobs`)).rows[0].n as number;
  return { doc, files, outbox, dispatches, blobs };
}

describe('pipeline stages: one read and one write per stage, and a re-run writes nothing', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let counted: { db: Db; roundTrips: RoundTripCounter };
  let config: Config;
  let sender: TestAgency;
  let recipients: TestAgency[];
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

  const ctx = (): StageContext => ({ db: counted.db, config, log, attempt: 1, lastAttempt: false });
  /** A step of a job that runs `chains` after it, with the earlier steps' move when they carried one (stage-chain.ts). */
  const chained = (chains: Stage[], carried?: StageContext['carried']): StageContext => ({ ...ctx(), chains: new Set(chains), ...(carried ? { carried } : {}) });
  async function run<S extends typeof Stage.convert | typeof Stage.sign | typeof Stage.route | typeof Stage.deliver>(
    stage: StageHandler<S>,
    payload: JobPayload<S>,
  ): Promise<string[]> {
    return counted.roundTrips.during(() => stage.run(payload, ctx()));
  }
  async function accept(): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, {
      metadata: metadataFor(recipients.map((r) => r.code), { urgency: 'urgent' }),
      files: [{ name: 'van-ban.pdf', contentType: 'application/pdf', contentBase64: (await makePdf(1)).toString('base64') }],
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return posted.body.id as string;
  }

  before(async () => {
    gw = await startGateway();
    config = loadConfig(process.env);
    const roundTrips = new RoundTripCounter();
    counted = { db: createPool(testEnv().databaseUrl, { max: 4, roundTrips }), roundTrips };
    const agencies = await createAgencies(gw.db, 6);
    sender = agencies[0]!;
    recipients = agencies.slice(1);
  });
  after(async () => {
    // No worker runs in this suite: what the stages enqueued must not reach a later suite's relay.
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND payload->>'documentId' IN (
      SELECT id::text FROM documents WHERE sender_code = $1)`, [sender.code]);
    await counted.db.end();
    await gw.close();
  });

  it('when a one-page PDF to 5 goes through convert, sign and route, then each stage sends at most 2 statements (route 1) and enqueues exactly what follows', async () => {
    // The first document unseals the sender's key (one more statement in sign); the second finds it cached.
    for (const round of [1, 2]) {
      const id = await accept();
      await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
      const priority = priorityOf('urgent');

      const convert = await run(convertStage, { documentId: id });
      // The budget: one read and one write (round trips through the pool's counter); the write also
      // keeps the file's text for search (issue 19), once.
      expect(convert.length, convert.join('\n---\n')).to.be.at.most(2);
      expect(convert.filter(isWrite), convert.join('\n---\n')).to.have.length(1);
      const text = (await gw.db.query(`SELECT content FROM document_texts WHERE document_id = $1`, [id])).rows;
      expect(text, 'the text kept by the same statement').to.have.length(1);
      expect(text[0].content).to.be.a('string').and.not.equal('');
      let after = await footprint(gw.db, id);
      expect(after.doc.status).to.equal('converted');
      expect(after.doc.page_count).to.equal(1);
      expect(after.files.map((f: { role: string }) => f.role)).to.deep.equal(['canonical', 'original']);
      expect(after.files[0].blob_sha256, 'a PDF passes through: the canonical file is the original blob').to.equal(after.files[1].blob_sha256);
      const convertRows = after.outbox.filter((o: { topic: string }) => o.topic === Stage.sign);
      expect(convertRows.map((o: { topic: string; payload: unknown; priority: number }) => ({ stage: o.topic, payload: o.payload, priority: o.priority })))
        .to.deep.equal(whatFollows(Stage.convert, id, priority));

      const sign = await run(signStage, { documentId: id });
      expect(sign.length, sign.join('\n---\n')).to.be.at.most(round === 1 ? 3 : 2);
      expect(sign.filter(isWrite), sign.join('\n---\n')).to.have.length(1);
      after = await footprint(gw.db, id);
      expect(after.doc.status).to.equal('signed');
      expect(after.doc.signature_level).to.equal('B-B');
      expect(after.files.map((f: { role: string }) => f.role)).to.deep.equal(['canonical', 'original', 'signed']);
      const signed = (await gw.db.query(`SELECT b.bytes, b.size FROM document_files f JOIN blobs b ON b.sha256 = f.blob_sha256 WHERE f.document_id = $1 AND f.role = 'signed'`, [id])).rows[0];
      expect(signed.bytes.length).to.equal(signed.size);
      expect(signed.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
      const signRows = after.outbox.filter((o: { topic: string }) => o.topic === Stage.route);
      expect(signRows.map((o: { topic: string; payload: unknown; priority: number }) => ({ stage: o.topic, payload: o.payload, priority: o.priority })))
        .to.deep.equal(whatFollows(Stage.sign, id, priority));

      const route = await run(routeStage, { documentId: id });
      expect(route.length, route.join('\n---\n')).to.be.at.most(1);
      after = await footprint(gw.db, id);
      expect(after.doc.status).to.equal('routed');
      expect(after.dispatches.map((d: { channel: string }) => d.channel)).to.deep.equal(recipients.map(() => 'hosted'));
      const dispatchIds = after.dispatches.map((d: { id: string }) => d.id);
      const routeRows = after.outbox.filter((o: { topic: string }) => o.topic === Stage.deliver);
      expect(routeRows.map((o: { topic: string; payload: unknown; priority: number }) => ({ stage: o.topic, payload: o.payload, priority: o.priority })))
        .to.deep.equal(whatFollows(Stage.route, id, priority, { hosted: true, dispatchIds: [] }));
      expect(routeRows, 'five hosted copies: ONE deliver job for all of them').to.have.length(1);

      // deliver: the one hosted job delivers the five copies with ONE statement (no read before it).
      const deliver = await run(deliverStage, { documentId: id, hosted: true });
      expect(deliver, deliver.join('\n---\n')).to.have.length(1);
      after = await footprint(gw.db, id);
      expect(after.dispatches.map((d: { status: string }) => d.status)).to.deep.equal(dispatchIds.map(() => 'delivered'));
      const ledger = (await gw.db.query(`SELECT dispatch_id AS "dispatchId", recipient FROM ledger WHERE document_id = $1 AND kind = 'dispatch_delivered' ORDER BY id`, [id])).rows;
      expect(ledger.map((l: { dispatchId: string }) => l.dispatchId), 'the ledger rows in recipient order').to.deep.equal(dispatchIds);

      const mine = lines.filter((l) => l.msg === 'converted' || l.msg === 'signed' || l.msg === 'routed').slice(-3);
      expect(mine.map((l) => l.msg)).to.deep.equal(['converted', 'signed', 'routed']);
      expect(mine[0]).to.include({ pageCount: 1, source: 'application/pdf' });
      expect(mine[1]).to.include({ level: 'B-B' });
      expect(mine[1]!.bytes).to.be.a('number');
      expect(mine[2]).to.include({ dispatches: 5, deliverJobs: 1 });
    }
  });

  it('when sign and route run right after convert in one job, then the three send one read and one write and leave what they leave one at a time', async () => {
    // The sender's key is unsealed and cached by the first document of the suite's earlier test.
    const [apart, together] = [await accept(), await accept()];
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = ANY($1::text[])`, [[apart, together]]);
    for (const stage of [convertStage, signStage, routeStage] as StageHandler<typeof Stage.convert>[]) await run(stage, { documentId: apart });

    const statements = await counted.roundTrips.during(async () => {
      const sign = await convertStage.run({ documentId: together }, chained([Stage.sign, Stage.route, Stage.deliver]));
      expect(sign?.stage).to.equal(Stage.sign);
      expect(sign?.carried?.read, 'convert left its move, and what sign reads, to sign').to.not.equal(undefined);
      const route = await signStage.run({ documentId: together }, chained([Stage.route, Stage.deliver], sign!.carried));
      expect(route?.stage).to.equal(Stage.route);
      expect(route?.carried?.move.from, 'sign left both moves to route').to.equal('accepted');
      expect((await footprint(gw.db, together)).doc.status, 'nothing committed before the route').to.equal('accepted');
      const deliver = await routeStage.run({ documentId: together }, chained([Stage.deliver], route!.carried));
      expect(deliver, 'the hosted copies follow in the job').to.deep.equal({ stage: Stage.deliver, payload: { documentId: together, hosted: true } });
    });
    // convert's read and the one statement of the three moves (the sender's key is cached: no unsealing statement)
    expect(statements.length, statements.join('\n---\n')).to.equal(2);
    expect(statements.filter(isWrite), statements.join('\n---\n')).to.have.length(1);

    const [a, t] = [await footprint(gw.db, apart), await footprint(gw.db, together)];
    expect(t.doc.status).to.equal('routed');
    expect({ ...t.doc, updated_at: null }).to.deep.equal({ ...a.doc, updated_at: null });
    expect(t.files.map((f: { role: string }) => f.role)).to.deep.equal(a.files.map((f: { role: string }) => f.role));
    expect(t.files[0].blob_sha256, 'the canonical file is the original blob, as apart').to.equal(t.files[1].blob_sha256);
    const copies = (x: typeof t) => x.dispatches.map((d: { channel: string; status: string }) => [d.channel, d.status]);
    expect(copies(t)).to.deep.equal(copies(a)).and.to.have.length(recipients.length);
    expect(t.outbox.filter((o: { topic: string }) => o.topic !== Stage.convert), 'every step chained: no outbox row after the intake\'s').to.deep.equal([]);
    const texts = (await gw.db.query(`SELECT document_id, content FROM document_texts WHERE document_id = ANY($1::uuid[]) ORDER BY content`, [[apart, together]])).rows;
    expect(texts).to.have.length(2);
    expect(texts[0].content).to.equal(texts[1].content);
    const signed = (await gw.db.query(`SELECT b.bytes FROM document_files f JOIN blobs b ON b.sha256 = f.blob_sha256 WHERE f.document_id = $1 AND f.role = 'signed'`, [together])).rows[0];
    expect(signed.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
  });

  it('when the route step carrying the earlier moves fails, then those moves commit alone and the retry starts at route', async () => {
    const id = await accept();
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    const sign = await convertStage.run({ documentId: id }, chained([Stage.sign, Stage.route, Stage.deliver]));
    const route = await signStage.run({ documentId: id }, chained([Stage.route, Stage.deliver], sign!.carried));
    // The route's statement fails (as a lost connection would); every other statement goes through.
    const failing = new Proxy(counted.db, {
      get(target, key) {
        if (key !== 'query') return Reflect.get(target, key);
        return (sql: string, params?: unknown[]) => (/deliveries AS/.test(sql) ? Promise.reject(new Error('route statement failed')) : target.query(sql, params));
      },
    });
    const failure = await routeStage.run({ documentId: id }, { ...chained([Stage.deliver], route!.carried), db: failing }).catch((e: unknown) => e);
    expect((failure as Error).message).to.equal('route statement failed');
    const after = await footprint(gw.db, id);
    expect(after.doc.status, 'convert\'s and sign\'s moves kept').to.equal('signed');
    expect(after.doc.signature_level).to.equal('B-B');
    expect(after.files.map((f: { role: string }) => f.role)).to.deep.equal(['canonical', 'original', 'signed']);
    expect(after.dispatches.map((d: { channel: string | null }) => d.channel), 'not routed').to.deep.equal(recipients.map(() => null));
    // The retry reads the signed document and routes it.
    const again = await routeStage.run({ documentId: id }, chained([Stage.deliver]));
    expect(again).to.deep.equal({ stage: Stage.deliver, payload: { documentId: id, hosted: true } });
    expect((await footprint(gw.db, id)).doc.status).to.equal('routed');
  });

  it('when the sign step chained after convert fails, then convert\'s move commits alone and the failure starts at sign', async () => {
    const id = await accept();
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    // A PDF modified after its incoming signature is never re-signed: a permanent failure of sign.
    await gw.db.query(`UPDATE documents SET incoming_signature = '{"modifiedAfterSigning": true}' WHERE id = $1`, [id]);
    const next = await convertStage.run({ documentId: id }, chained([Stage.sign, Stage.route, Stage.deliver]));
    expect(next?.carried).to.not.equal(undefined);
    let failure: unknown;
    await signStage.run({ documentId: id }, chained([Stage.route, Stage.deliver], next!.carried)).catch((e: unknown) => (failure = e));
    expect((failure as Error | undefined)?.message).to.match(/modified after its incoming signature/);
    const after = await footprint(gw.db, id);
    expect(after.doc.status, 'convert\'s move kept').to.equal('converted');
    expect(after.doc.page_count).to.equal(1);
    expect(after.files.map((f: { role: string }) => f.role)).to.deep.equal(['canonical', 'original']);
    const text = (await gw.db.query(`SELECT content FROM document_texts WHERE document_id = $1`, [id])).rows;
    expect(text).to.have.length(1);
    // Run again (the job's retry), the step reads the converted document and fails the same way, at sign.
    const again = await signStage.run({ documentId: id }, ctx()).catch((e: unknown) => e);
    expect((again as Error).message).to.match(/modified after its incoming signature/);
  });

  it('when a stage runs again for a document it has moved on, then it reads once and writes nothing', async () => {
    const id = await accept();
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    await run(convertStage, { documentId: id });
    await run(signStage, { documentId: id });
    await run(routeStage, { documentId: id });
    const done = await footprint(gw.db, id);
    const logged = lines.length;
    for (const stage of [convertStage, signStage, routeStage] as StageHandler<typeof Stage.convert>[]) {
      const statements = await run(stage, { documentId: id });
      // One round trip: the read (or route's guarded write, whose status condition matches nothing).
      expect(statements.length, statements.join('\n---\n')).to.be.at.most(1);
      expect(await footprint(gw.db, id)).to.deep.equal(done);
    }
    // The hosted deliveries, twice: the first moves the five copies, the second (a re-run) writes nothing.
    await run(deliverStage, { documentId: id, hosted: true });
    const delivered = await footprint(gw.db, id);
    const logged2 = lines.length;
    const again = await run(deliverStage, { documentId: id, hosted: true });
    expect(again.length, again.join('\n---\n')).to.equal(1);
    expect(await footprint(gw.db, id)).to.deep.equal(delivered);
    expect(lines.length, 'a re-run logs nothing').to.equal(logged2);
    expect(lines.length - 1, 'no stage logs work it did not do (the one line is the first delivery)').to.equal(logged);
  });

  it('when the sender gets a new certificate, then the next document is signed with it', async () => {
    const masterKey = Buffer.from(testEnv().masterKeyHex, 'hex');
    const before = (await currentCertificate(gw.db, sender.code))!;
    await issueDevCertificate(gw.db, masterKey, true, sender, 'rsa', { notBefore: new Date(Date.now() - 1000) });
    const now = (await currentCertificate(gw.db, sender.code))!;
    expect(now.id).to.not.equal(before.id);
    const id = await accept();
    await gw.db.query(`UPDATE outbox SET published_at = now() WHERE payload->>'documentId' = $1`, [id]);
    const read = (await loadForStage(gw.db, id, { status: 'accepted', bytesOf: '^original$', certificate: true }))!;
    expect(read.certificateId).to.equal(now.id);
    expect(read.files[0]!.bytes!.subarray(0, 5).toString()).to.equal('%PDF-');
    const identity = await signingIdentityFor(gw.db, masterKey, sender.code, read.certificateId);
    expect(identity.certificate.equals(new X509Certificate(now.certPem).raw)).to.equal(true);
    await run(convertStage, { documentId: id });
    const sign = await run(signStage, { documentId: id });
    expect(sign.length, 'the new identity is cached already: no unsealing statement').to.be.at.most(2);
    expect((await footprint(gw.db, id)).doc.status).to.equal('signed');
  });
});
