import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

describe('graceful overload: past the backlog bound the gateway answers 503 with Retry-After, and loses nothing it accepted', function () {
  this.timeout(300_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let sender: TestAgency;
  let recipient: TestAgency;

  before(async () => {
    // No worker yet: nothing drains, so the backlog only grows. A small bound makes it quick.
    gw = await startGateway({ LIENTHONG_ADMISSION_MIN_BACKLOG: '15', LIENTHONG_ADMISSION_MAX_DELAY_MS: '2000', LIENTHONG_ADMISSION_SAMPLE_MS: '50' });
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
  });
  after(async () => {
    await worker?.stop();
    await gw.close();
  });

  it('when the pipeline stops draining, then new documents are refused with 503 OVERLOADED and Retry-After; once workers drain it they are accepted again and every accepted one is delivered', async () => {
    const pdf = await makePdf(1);
    const accepted: string[] = [];
    const shed: { retryAfter: string | null; code: string; message: string }[] = [];
    for (let i = 0; i < 120 && shed.length < 5; i++) {
      const res = await fetch(`${gw.baseUrl}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sender.apiKey}` },
        body: documentForm(metadataFor([recipient.code]), pdf),
      });
      const body = (await res.json()) as any;
      if (res.status === 202) accepted.push(body.id);
      else {
        expect(res.status, JSON.stringify(body)).to.equal(503);
        shed.push({ retryAfter: res.headers.get('retry-after'), code: body.error.code, message: body.error.message });
      }
      // Let the sampler (every 50 ms) see the growing backlog.
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(shed.length, `accepted ${accepted.length}, none refused`).to.equal(5);
    expect(accepted.length).to.be.at.least(5);
    for (const s of shed) {
      expect(s.code).to.equal('OVERLOADED');
      expect(Number(s.retryAfter)).to.be.within(1, 60);
      expect(s.message).to.match(/quá tải/);
    }
    // A refused submission wrote nothing.
    const stored = await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code]);
    expect(stored.rows[0].n).to.equal(accepted.length);

    worker = spawnWorker();
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
  });

  it('when the bound is set to 0, then the gate never refuses', async () => {
    const open = await startGateway({ LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' });
    try {
      const r = await postDocument(open.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
      expect(r.status).to.equal(202);
    } finally {
      await open.close();
    }
  });
});
