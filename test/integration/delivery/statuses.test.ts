import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

async function postJson(baseUrl: string, path: string, apiKey: string, body: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('statuses after delivery, take-back and revoke, through the API', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let a: TestAgency;
  let b: TestAgency;

  /** Sends a fresh document to a and b and waits until both have it. */
  async function sendAndDeliver(): Promise<{ id: string; dispatchOf: (r: TestAgency) => Promise<string> }> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([a.code, b.code]), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const id = posted.body.id as string;
    await waitFor('delivery', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id]);
      return r.rows[0].n === 2;
    });
    return {
      id,
      dispatchOf: async (r) => {
        const inbox = await getJson(gw.baseUrl, '/v1/inbox', r.apiKey);
        return inbox.body.items.find((i: { documentId: string }) => i.documentId === id).dispatchId;
      },
    };
  }

  before(async () => {
    gw = await startGateway();
    [sender, a, b] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('when a recipient registers (03), assigns, processes and completes, then each step is on the sender\'s timeline and 03 issues consecutive incoming numbers', async () => {
    const doc1 = await sendAndDeliver();
    const doc2 = await sendAndDeliver();
    const d1 = await doc1.dispatchOf(a);
    const d2 = await doc2.dispatchOf(a);
    const r1 = await postJson(gw.baseUrl, `/v1/inbox/${d1}/status`, a.apiKey, { code: '03' });
    const r2 = await postJson(gw.baseUrl, `/v1/inbox/${d2}/status`, a.apiKey, { code: '03' });
    expect(r1.status).to.equal(200);
    expect(r1.body).to.include({ status: 'accepted', incomingNumber: '01' });
    expect(r2.body).to.include({ status: 'accepted', incomingNumber: '02' });
    for (const code of ['04', '05', '06']) {
      const r = await postJson(gw.baseUrl, `/v1/inbox/${d1}/status`, a.apiKey, { code, note: `bước ${code}` });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
    }
    const view = await getJson(gw.baseUrl, `/v1/documents/${doc1.id}`, sender.apiKey);
    const mine = view.body.dispatches.find((x: { id: string }) => x.id === d1);
    expect(mine.status).to.equal('completed');
    expect(mine.incomingNumber).to.equal('01');
    expect(mine.events.map((e: { code: string }) => e.code)).to.deep.equal(['01', '03', '04', '05', '06']);
  });

  it('when a recipient posts 06 before 03, or completes what it refused, then the API answers 409 and the state does not move', async () => {
    const doc = await sendAndDeliver();
    const d = await doc.dispatchOf(a);
    const early = await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, a.apiKey, { code: '06' });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('CONFLICT');
    expect((await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, a.apiKey, { code: '02', note: 'gửi nhầm' })).status).to.equal(200);
    const late = await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, a.apiKey, { code: '06' });
    expect(late.status).to.equal(409);
    const row = await gw.db.query(`SELECT status FROM dispatches WHERE id = $1`, [d]);
    expect(row.rows[0].status).to.equal('refused');
    const bad = await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, a.apiKey, { code: '07' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
  });

  it('when the sender asks a document back (13) and the recipient agrees (15), then that copy is revoked and stays in its inbox marked revoked', async () => {
    const doc = await sendAndDeliver();
    const d = await doc.dispatchOf(b);
    expect((await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, b.apiKey, { code: '13' })).status, 'only the sender posts 13').to.equal(409);
    expect((await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, sender.apiKey, { code: '13', note: 'sai sót' })).status).to.equal(200);
    const agree = await postJson(gw.baseUrl, `/v1/inbox/${d}/status`, b.apiKey, { code: '15' });
    expect(agree.body.status).to.equal('revoked');
    const inbox = await getJson(gw.baseUrl, '/v1/inbox', b.apiKey);
    expect(inbox.body.items.find((i: { documentId: string }) => i.documentId === doc.id)).to.include({ status: 'revoked' });
    // The document itself is withdrawn from the recipient (its files and metadata); the inbox entry remains.
    expect((await getJson(gw.baseUrl, `/v1/documents/${doc.id}`, b.apiKey)).status).to.equal(404);
  });

  it('when the sender revokes a document, then every copy is revoked with a 13 event and a ledger row, and every inbox keeps it marked with the reason and time', async () => {
    const doc = await sendAndDeliver();
    const other = await postJson(gw.baseUrl, `/v1/documents/${doc.id}/revoke`, a.apiKey, { reason: 'không phải của tôi' });
    expect(other.status, 'a recipient cannot revoke').to.equal(404);
    const r = await postJson(gw.baseUrl, `/v1/documents/${doc.id}/revoke`, sender.apiKey, { reason: 'Văn bản ban hành sai thẩm quyền' });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ id: doc.id, status: 'revoked', revokedDispatches: 2 });
    for (const rec of [a, b]) {
      const inbox = await getJson(gw.baseUrl, '/v1/inbox', rec.apiKey);
      const item = inbox.body.items.find((i: { documentId: string }) => i.documentId === doc.id);
      expect(item).to.include({ status: 'revoked', revokeReason: 'Văn bản ban hành sai thẩm quyền' });
      expect(Date.now() - Date.parse(item.revokedAt)).to.be.within(0, 60_000);
    }
    const ledger = await gw.db.query(`SELECT count(*)::int AS n FROM ledger WHERE document_id = $1 AND kind = 'dispatch_revoked'`, [doc.id]);
    expect(ledger.rows[0].n).to.equal(2);
    const again = await postJson(gw.baseUrl, `/v1/documents/${doc.id}/revoke`, sender.apiKey, { reason: 'lần hai' });
    expect(again.status).to.equal(409);
    const outbox = await getJson(gw.baseUrl, '/v1/outbox', sender.apiKey);
    const item = outbox.body.items.find((i: { documentId: string }) => i.documentId === doc.id);
    expect(item).to.deep.include({ status: 'revoked', dispatches: { revoked: 2 } });
  });
});
