import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

interface Route {
  method: 'GET' | 'POST';
  path: (ids: { doc: string; dispatch: string }) => string;
  body?: unknown;
}

/** Every route that takes a document or dispatch id. A new route must be added here. */
const ROUTES: Route[] = [
  { method: 'GET', path: (i) => `/v1/documents/${i.doc}` },
  { method: 'GET', path: (i) => `/v1/documents/${i.doc}/files/signed` },
  { method: 'GET', path: (i) => `/v1/documents/${i.doc}/files/original` },
  { method: 'GET', path: (i) => `/v1/documents/${i.doc}/files/canonical` },
  { method: 'POST', path: (i) => `/v1/documents/${i.doc}/revoke`, body: { reason: 'thử' } },
  { method: 'POST', path: (i) => `/v1/inbox/${i.dispatch}/status`, body: { code: '03' } },
  { method: 'POST', path: (i) => `/v1/inbox/${i.dispatch}/status`, body: { code: '13' } },
];

describe('agency isolation: another agency\'s key sees and does nothing', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let stranger: TestAgency;
  let ids: { doc: string; dispatch: string };

  before(async () => {
    gw = await startGateway();
    [sender, recipient, stranger] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    const worker = spawnWorker();
    try {
      const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
      const doc = posted.body.id as string;
      const dispatch = await waitFor('delivery', async () => {
        const r = await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [doc]);
        return r.rows[0]?.id as string | undefined;
      });
      ids = { doc, dispatch };
    } finally {
      await worker.stop();
    }
  });
  after(async () => gw.close());

  for (const r of ROUTES) {
    it(`when a stranger calls ${r.method} ${r.path({ doc: ':id', dispatch: ':dispatchId' })}, then it gets 404 and nothing changes`, async () => {
      const before = await gw.db.query(`SELECT status FROM dispatches WHERE id = $1`, [ids.dispatch]);
      const res = await fetch(`${gw.baseUrl}${r.path(ids)}`, {
        method: r.method,
        headers: { authorization: `Bearer ${stranger.apiKey}`, 'content-type': 'application/json' },
        ...(r.body ? { body: JSON.stringify(r.body) } : {}),
      });
      expect(res.status).to.equal(404);
      expect(((await res.json()) as any).error.code).to.equal('NOT_FOUND');
      const after = await gw.db.query(`SELECT status FROM dispatches WHERE id = $1`, [ids.dispatch]);
      expect(after.rows).to.deep.equal(before.rows);
    });
  }

  it('when a stranger lists its inbox and outbox, then the document is in neither', async () => {
    for (const path of ['/v1/inbox', '/v1/outbox']) {
      const res = await getJson(gw.baseUrl, path, stranger.apiKey);
      expect(res.status).to.equal(200);
      expect(JSON.stringify(res.body)).not.to.contain(ids.doc);
    }
  });

  it('when the recipient asks for the sender-only files, then they are not found, while the signed copy is served', async () => {
    for (const role of ['original', 'canonical']) {
      const res = await fetch(`${gw.baseUrl}/v1/documents/${ids.doc}/files/${role}`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
      expect(res.status).to.equal(404);
    }
    const signed = await fetch(`${gw.baseUrl}/v1/documents/${ids.doc}/files/signed`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    expect(signed.status).to.equal(200);
  });
});
