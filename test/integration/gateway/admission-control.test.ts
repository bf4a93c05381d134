import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

interface Shed {
  retryAfter: string | null;
  code: string;
  message: string;
  details: {
    backlogJobs: number;
    queueDelayMs: number;
    admittedSinceLook: number;
    drainPerSec: number | null;
    expectedDelayMs: number;
    perStageMs: Record<string, number>;
    refuseAboveMs: number;
    retryAfterSeconds: number;
  };
}

describe('graceful overload: past the bound on observed queueing the gateway answers 503 with Retry-After, admits again once it drains, and loses nothing it accepted', function () {
  this.timeout(300_000);
  let gw: RunningGateway;
  const workers: WorkerProcess[] = [];
  let sender: TestAgency;
  let recipient: TestAgency;
  let pdf: Buffer;

  before(async () => {
    // Bound 2 s with half of it for queueing: refuse once work has waited more than 1 s.
    gw = await startGateway({ LIENTHONG_ADMISSION_MIN_BACKLOG: '10', LIENTHONG_ADMISSION_MAX_DELAY_MS: '2000', LIENTHONG_ADMISSION_MARGIN: '0.5', LIENTHONG_ADMISSION_SAMPLE_MS: '50' });
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    pdf = await makePdf(1);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
  });
  after(async () => {
    await gw.close();
  });

  /** Submits one document every 60 ms until `want` are refused (or 200 tries); what was accepted and what was refused. */
  async function submitUntilShed(want: number): Promise<{ accepted: string[]; shed: Shed[] }> {
    const accepted: string[] = [];
    const shed: Shed[] = [];
    for (let i = 0; i < 200 && shed.length < want; i++) {
      const res = await fetch(`${gw.baseUrl}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${sender.apiKey}` }, body: documentForm(metadataFor([recipient.code]), pdf) });
      const body = (await res.json()) as any;
      if (res.status === 202) accepted.push(body.id);
      else {
        expect(res.status, JSON.stringify(body)).to.equal(503);
        shed.push({ retryAfter: res.headers.get('retry-after'), code: body.error.code, message: body.error.message, details: body.error.details[0] });
      }
      // Let the sampler (every 50 ms) see the waiting grow.
      await new Promise((r) => setTimeout(r, 60));
    }
    return { accepted, shed };
  }

  async function admittedAgainAndAllDelivered(accepted: string[]): Promise<void> {
    const later = await waitFor(
      'the gateway to admit again',
      async () => {
        const r = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), pdf));
        return r.status === 202 ? (r.body.id as string) : undefined;
      },
      { timeoutMs: 180_000, recheckMs: 500 },
    );
    accepted.push(later);
    await waitFor(
      'every accepted document delivered',
      async () => {
        const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1::uuid[]) AND status = 'delivered'`, [accepted]);
        return r.rows[0].n === accepted.length;
      },
      { timeoutMs: 240_000 },
    );
  }

  function expectShedAnswers(shed: Shed[]): void {
    for (const s of shed) {
      expect(s.code).to.equal('OVERLOADED');
      expect(Number(s.retryAfter)).to.be.within(1, 60);
      expect(s.details.retryAfterSeconds).to.equal(Number(s.retryAfter));
      expect(s.message).to.match(/quá tải/).and.match(new RegExp(`gửi lại sau ${s.retryAfter} giây`));
      expect(s.details.refuseAboveMs).to.equal(1_000);
      // The waiting a document sent now would meet: the last look plus what was admitted since, at the drain rate.
      const d = s.details;
      expect(d.expectedDelayMs, JSON.stringify(d)).to.be.closeTo(d.drainPerSec ? d.queueDelayMs + (d.admittedSinceLook / d.drainPerSec) * 1000 : d.queueDelayMs, 1);
      // Once refusing, it goes on until that is under 80% of the mark (and the backlog of the floor).
      expect(d.expectedDelayMs).to.be.greaterThan(800);
      expect(d.backlogJobs + d.admittedSinceLook).to.be.at.least(8);
    }
    expect(shed[0]!.details.expectedDelayMs).to.be.greaterThan(1_000);
    expect(shed[0]!.details.backlogJobs + shed[0]!.details.admittedSinceLook).to.be.at.least(10);
  }

  it('when nothing relays the outbox (no worker), then documents are refused once the oldest unrelayed row is older than the mark; a worker drains it and they are accepted again, every accepted one delivered', async () => {
    const { accepted, shed } = await submitUntilShed(5);
    expect(shed.length, `accepted ${accepted.length}, none refused`).to.equal(5);
    expect(accepted.length).to.be.at.least(10);
    expectShedAnswers(shed);
    expect(shed[0]!.details.perStageMs.outbox, JSON.stringify(shed[0]!.details)).to.be.greaterThan(1_000);
    // A refused submission wrote nothing.
    const stored = await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code]);
    expect(stored.rows[0].n).to.equal(accepted.length);
    workers.push(spawnWorker());
    await admittedAgainAndAllDelivered(accepted);
  });

  it('when a stage is slow (each convert takes 400 ms, one at a time), then its jobs wait in Redis past the mark and documents are refused; a normal worker drains it and they are accepted again, every accepted one delivered', async () => {
    workers.push(spawnWorker({ LIENTHONG_FAULT_DELAY: 'convert:400', LIENTHONG_WORKER_CONCURRENCY: '1' }));
    // The slow worker is up and relaying once a first document has gone all the way through (until
    // it relays what the stopped worker left in the outbox, the gate may still refuse).
    const firstId = await waitFor(
      'a first document accepted',
      async () => {
        const r = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), pdf));
        return r.status === 202 ? (r.body.id as string) : undefined;
      },
      { timeoutMs: 120_000, recheckMs: 500 },
    );
    await waitFor(
      'the first document delivered by the slow worker',
      async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [firstId])).rowCount === 1,
      { timeoutMs: 120_000 },
    );
    const { accepted, shed } = await submitUntilShed(3);
    expect(shed.length, `accepted ${accepted.length}, none refused`).to.equal(3);
    expectShedAnswers(shed);
    // The waiting is in the convert queue (relayed by the worker), not in the outbox.
    const d = shed[0]!.details;
    expect(d.perStageMs.convert, JSON.stringify(d)).to.be.greaterThan(d.perStageMs.outbox!);
    expect(d.perStageMs.convert).to.be.greaterThan(500);
    await workers.shift()!.stop();
    workers.push(spawnWorker());
    await admittedAgainAndAllDelivered(accepted);
  });

  it('when the bound is set to 0, then the gate never refuses', async () => {
    const open = await startGateway({ LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' });
    try {
      const r = await postDocument(open.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), pdf));
      expect(r.status).to.equal(202);
    } finally {
      await open.close();
    }
  });
});
