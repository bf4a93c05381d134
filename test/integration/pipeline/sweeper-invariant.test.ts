import { expect } from 'chai';
import IORedis from 'ioredis';
import { Stage, type JobPayload } from '../../../contracts';
import { jobIdFor } from '../../../contracts/jobs';
import { listFailedDispatches, retryDispatches } from '../../../services/domain/dispatches/retry-dispatch';
import { sweepOnce } from '../../../services/pipeline/sweeper';
import { domainSweepChores } from '../../../services/domain/sweep-chores';
import { createStageQueues, type StageQueues } from '../../../services/pipeline/stage-queues';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv, uniqueTag } from '../../support/test-env';

/**
 * The invariant behind "nothing can stay pending without a job": after a sweep, every open copy
 * (pending, delivering) has a job in Redis that will move it — its document's stage job while the
 * document is in flight, once routed its document's hosted job (a hosted copy) or its own deliver
 * job (any other) — and a copy under a failed document is
 * in the failed list, never open. No worker runs here: the sweep alone must get there.
 */
describe('sweeper: no copy stays pending without a job', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let redis: IORedis;
  let queues: StageQueues;
  let sender: TestAgency;
  let recipients: TestAgency[];

  before(async () => {
    gw = await startGateway();
    redis = new IORedis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    // A private prefix: only this test's sweeps land here.
    queues = createStageQueues(redis, `sweep-${uniqueTag().toLowerCase()}`);
    [sender, ...recipients] = (await createAgencies(gw.db, 3)) as [TestAgency, ...TestAgency[]];
  });
  after(async () => {
    await queues.close();
    await redis.quit();
    await gw.close();
  });

  async function newDocument(): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(recipients.map((r) => r.code)), await makePdf(1)));
    expect(posted.status).to.equal(202);
    return posted.body.id;
  }

  async function hasJob<S extends Stage>(stage: S, payload: JobPayload<S>): Promise<boolean> {
    return (await queues.queue(stage).getJob(jobIdFor(stage, payload))) !== undefined;
  }

  it('when documents and copies wait in every in-flight state with no job, then one sweep gives each a job and fails the copies of failed documents', async () => {
    const ids = { accepted: await newDocument(), converted: await newDocument(), signed: await newDocument(), routed: await newDocument(), failed: await newDocument() };
    for (const status of ['converted', 'signed', 'routed', 'failed'] as const) {
      await gw.db.query(`UPDATE documents SET status = $2, last_error = CASE WHEN $2 = 'failed' THEN 'agency X has no valid signing certificate' END, failed_stage = CASE WHEN $2 = 'failed' THEN 'sign' END WHERE id = $1`, [ids[status], status]);
    }
    // The routed document: one copy pending, one delivering (its worker died), one delivered.
    const routed = (await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 ORDER BY recipient_code`, [ids.routed])).rows.map((r) => r.id as string);
    await gw.db.query(`UPDATE dispatches SET status = 'delivering', channel = 'hosted' WHERE id = $1`, [routed[1]]);
    // The failed document's copies left pending, as an old retry left them (issue 16).
    await gw.db.query(`UPDATE documents SET updated_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])`, [Object.values(ids)]);
    await gw.db.query(`UPDATE dispatches SET updated_at = now() - interval '1 hour' WHERE document_id = ANY($1::uuid[])`, [Object.values(ids)]);

    await sweepOnce(gw.db, queues, 60_000, domainSweepChores);

    expect(await hasJob(Stage.convert, { documentId: ids.accepted })).to.equal(true);
    expect(await hasJob(Stage.sign, { documentId: ids.converted })).to.equal(true);
    expect(await hasJob(Stage.route, { documentId: ids.signed })).to.equal(true);
    // Its copies are hosted (one by its channel, one by the `channel ?? hosted` rule): ONE job, the document's hosted job.
    expect(await hasJob(Stage.deliver, { documentId: ids.routed, hosted: true })).to.equal(true);
    for (const dispatchId of routed) expect(await hasJob(Stage.deliver, { documentId: ids.routed, dispatchId }), dispatchId).to.equal(false);
    // The invariant, over every copy of these documents.
    const open = await gw.db.query<{ id: string; documentId: string; docStatus: string; hosted: boolean }>(
      `SELECT x.id, x.document_id AS "documentId", d.status AS "docStatus", COALESCE(x.channel, 'hosted') = 'hosted' AS hosted FROM dispatches x JOIN documents d ON d.id = x.document_id
        WHERE x.document_id = ANY($1::uuid[]) AND x.status IN ('pending', 'delivering')`,
      [Object.values(ids)],
    );
    for (const x of open.rows) {
      const stage = { accepted: Stage.convert, converted: Stage.sign, signed: Stage.route }[x.docStatus as 'accepted'];
      const covered =
        x.docStatus === 'routed'
          ? (await hasJob(Stage.deliver, { documentId: x.documentId, dispatchId: x.id })) || (x.hosted && (await hasJob(Stage.deliver, { documentId: x.documentId, hosted: true })))
          : stage
            ? await hasJob(stage, { documentId: x.documentId })
            : false;
      expect(covered, `open copy ${x.id} under a ${x.docStatus} document has a job`).to.equal(true);
    }
    const failed = await listFailedDispatches(gw.db, 50, { sender: sender.code });
    const ofFailed = failed.filter((f) => f.documentId === ids.failed);
    expect(ofFailed).to.have.length(recipients.length);
    expect(ofFailed[0]!.stage).to.equal('sign');
    expect(ofFailed[0]!.reason).to.match(/chưa có chứng thư số/);

    // The operator's retry of one copy restarts the sign stage: the document and all its copies follow.
    const removed: string[] = [];
    const retried = await retryDispatches(gw.db, [ofFailed[0]!.id], 'operator:test', async (stage, jobId) => void removed.push(`${stage}:${jobId}`));
    expect(retried).to.deep.equal([ofFailed[0]!.id]);
    expect(removed).to.deep.equal([`sign:sign-${ids.failed}`]);
    const after = await gw.db.query(`SELECT d.status, d.failed_stage AS "failedStage", array_agg(DISTINCT x.status) AS copies FROM documents d JOIN dispatches x ON x.document_id = d.id WHERE d.id = $1 GROUP BY d.id`, [ids.failed]);
    expect(after.rows[0]).to.deep.equal({ status: 'converted', failedStage: null, copies: ['pending'] });
    const outbox = await gw.db.query(`SELECT topic FROM outbox WHERE payload->>'documentId' = $1 AND published_at IS NULL`, [ids.failed]);
    expect(outbox.rows.map((r) => r.topic)).to.include('sign');
  });
});
