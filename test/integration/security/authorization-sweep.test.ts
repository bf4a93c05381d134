import { expect } from 'chai';
import { openApiDocument } from '../../../services/gateway/openapi/openapi-document';
import { createApiKey, revokeApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { scopesFor } from '../../../services/gateway/security/require-scope';
import { allDelivered } from '../../support/delivery-audit';
import { sampleEdxml } from '../../support/fuzz-inputs';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { authHeader, KEY_KINDS, keyRing, type KeyKind, type KeyRing } from '../../support/key-kinds';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';

interface Fixture {
  ring: KeyRing;
  doc: string;
  revokable: string;
  dispatch: string;
  /** A document sent on paper, and its paper dispatch (which has a packet). */
  paperDoc: string;
  paperDispatch: string;
  pdf: Buffer;
  /** The arrival (01) event of `doc`'s copy: its signed receipt is at /receipts/{eventId}. */
  arrivalEvent: number;
}

interface RouteRule {
  /** Whose resource the route touches: that agency's key is `own`. */
  owner: (f: Fixture) => TestAgency;
  url: (f: Fixture) => string;
  body?: (f: Fixture, kind: KeyKind) => { contentType: string; data: string };
  /**
   * The exact status for each authenticated kind (none, unknown, revoked and expired keys always
   * get 401; the owner's key without the route's scope 403). The monitor's key holds only the
   * `monitor` scope: figures, reports and the directory.
   */
  expect: Record<'own' | 'other' | 'monitor', number>;
}

const json = (v: unknown) => ({ contentType: 'application/json', data: JSON.stringify(v) });
let paperNumber = 100;

/**
 * Every /v1 operation of the published OpenAPI document must have a rule here: a new route fails
 * the first test until someone decides who may call it.
 */
const RULES: Record<string, RouteRule> = {
  'POST /v1/documents': {
    owner: (f) => f.ring.sender,
    url: () => '/v1/documents',
    body: (f) => json({ metadata: metadataFor([f.ring.recipient.code]), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: f.pdf.toString('base64') }] }),
    expect: { own: 202, other: 202, monitor: 403 },
  },
  'GET /v1/documents/{id}': { owner: (f) => f.ring.sender, url: (f) => `/v1/documents/${f.doc}`, expect: { own: 200, other: 404, monitor: 403 } },
  'GET /v1/documents/{id}/files/{role}': { owner: (f) => f.ring.recipient, url: (f) => `/v1/documents/${f.doc}/files/signed`, expect: { own: 200, other: 404, monitor: 403 } },
  'POST /v1/documents/{id}/revoke': {
    owner: (f) => f.ring.sender,
    url: (f) => `/v1/documents/${f.revokable}/revoke`,
    body: () => json({ reason: 'Thu hồi để thử phân quyền' }),
    expect: { own: 200, other: 404, monitor: 403 },
  },
  'GET /v1/inbox': { owner: (f) => f.ring.recipient, url: () => '/v1/inbox', expect: { own: 200, other: 200, monitor: 403 } },
  'POST /v1/inbox/{dispatchId}/status': {
    owner: (f) => f.ring.recipient,
    url: (f) => `/v1/inbox/${f.dispatch}/status`,
    body: () => json({ code: '03' }),
    expect: { own: 200, other: 404, monitor: 403 },
  },
  'GET /v1/outbox': { owner: (f) => f.ring.sender, url: () => '/v1/outbox', expect: { own: 200, other: 200, monitor: 403 } },
  // Every reading key searches its own agency's documents (search-api.test.ts shows another agency finds none).
  'GET /v1/search': { owner: (f) => f.ring.recipient, url: () => '/v1/search?q=cai+cach', expect: { own: 200, other: 200, monitor: 403 } },
  'POST /v1/edxml': {
    owner: (f) => f.ring.sender,
    url: () => '/v1/edxml',
    // Always the sender's envelope: another agency may not post it under its own key.
    body: (f) => ({ contentType: 'application/xml', data: sampleEdxml({ pdf: f.pdf, senderCode: f.ring.sender.code, senderName: f.ring.sender.name, recipients: [f.ring.recipient.code] }) }),
    expect: { own: 202, other: 403, monitor: 403 },
  },
  'GET /v1/documents/{id}/evidence': { owner: (f) => f.ring.recipient, url: (f) => `/v1/documents/${f.doc}/evidence`, expect: { own: 200, other: 404, monitor: 403 } },
  'GET /v1/documents/{id}/receipts': { owner: (f) => f.ring.recipient, url: (f) => `/v1/documents/${f.doc}/receipts`, expect: { own: 200, other: 404, monitor: 403 } },
  'GET /v1/documents/{id}/receipts/{eventId}': { owner: (f) => f.ring.recipient, url: (f) => `/v1/documents/${f.doc}/receipts/${f.arrivalEvent}`, expect: { own: 200, other: 404, monitor: 403 } },
  'GET /v1/documents/{id}/edxml': { owner: (f) => f.ring.sender, url: (f) => `/v1/documents/${f.doc}/edxml`, expect: { own: 200, other: 404, monitor: 403 } },
  'POST /v1/paper-dispatches': {
    owner: (f) => f.ring.sender,
    url: () => '/v1/paper-dispatches',
    body: (f) => json({ documentType: 'CV', number: String(paperNumber++), notation: 'UBND-VP', issuedOn: '2026-03-05', subject: 'Gửi giấy', recipients: [f.ring.recipient.code], sentOn: '2026-03-06' }),
    expect: { own: 201, other: 201, monitor: 403 },
  },
  'GET /v1/stats/edoc-rate': { owner: (f) => f.ring.sender, url: (f) => `/v1/stats/edoc-rate?agency=${f.ring.sender.code}`, expect: { own: 200, other: 403, monitor: 200 } },
  'GET /v1/reports/quarterly/{year}/{quarter}': { owner: (f) => f.ring.sender, url: () => '/v1/reports/quarterly/2026/Q1?format=csv', expect: { own: 403, other: 403, monitor: 200 } },
  'GET /v1/documents/{id}/dispatches/{dispatchId}/packet': {
    owner: (f) => f.ring.sender,
    url: (f) => `/v1/documents/${f.paperDoc}/dispatches/${f.paperDispatch}/packet`,
    expect: { own: 200, other: 404, monitor: 403 },
  },
  // The sender's keys only; a hosted copy has no push attempts (an empty page). The recipient's key: 404 (dispatch-attempts-api.test.ts).
  'GET /v1/documents/{id}/dispatches/{dispatchId}/attempts': {
    owner: (f) => f.ring.sender,
    url: (f) => `/v1/documents/${f.doc}/dispatches/${f.dispatch}/attempts`,
    expect: { own: 200, other: 404, monitor: 403 },
  },
  'GET /v1/outbox/overdue': { owner: (f) => f.ring.sender, url: () => '/v1/outbox/overdue', expect: { own: 200, other: 200, monitor: 403 } },
  'GET /v1/agencies': { owner: (f) => f.ring.sender, url: () => '/v1/agencies', expect: { own: 200, other: 200, monitor: 200 } },
  // Books are the caller agency's own: another agency's key lists or opens its own.
  'GET /v1/registers/books': { owner: (f) => f.ring.recipient, url: () => '/v1/registers/books', expect: { own: 200, other: 200, monitor: 403 } },
  'POST /v1/registers/books': {
    owner: (f) => f.ring.recipient,
    url: () => '/v1/registers/books',
    body: () => json({ kind: 'incoming', name: `Sổ thử ${paperNumber++}` }),
    expect: { own: 201, other: 201, monitor: 403 },
  },
};

function v1Operations(): string[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .filter(([p]) => p.startsWith('/v1/'))
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
}

describe('authorization sweep: every /v1 route × every kind of key', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  const f = {} as Fixture;

  before(async () => {
    gw = await startGateway();
    f.ring = await keyRing(gw.db);
    f.pdf = await makePdf(1);
    const worker = spawnWorker();
    try {
      const send = () => postDocument(gw.baseUrl, f.ring.sender.apiKey, documentForm(metadataFor([f.ring.recipient.code]), f.pdf)).then((r) => r.body.id as string);
      [f.doc, f.revokable] = [await send(), await send()];
      await waitFor('both documents delivered', () => allDelivered(gw.db, [f.doc, f.revokable], 1), { timeoutMs: 60_000 });
      f.dispatch = (await allDelivered(gw.db, [f.doc], 1))![0]!.id;
      f.arrivalEvent = Number((await gw.db.query(`SELECT id FROM dispatch_events WHERE dispatch_id = $1 AND code = '01' ORDER BY id LIMIT 1`, [f.dispatch])).rows[0]!.id);
      const [paper] = (await createAgencies(gw.db, 1, { channel: 'paper', withCertificates: false })) as [TestAgency];
      f.paperDoc = (await postDocument(gw.baseUrl, f.ring.sender.apiKey, documentForm(metadataFor([paper.code]), f.pdf))).body.id as string;
      f.paperDispatch = await waitFor('the paper dispatch recorded', async () => {
        const r = await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'paper'`, [f.paperDoc]);
        return r.rows[0]?.id as string | undefined;
      });
    } finally {
      await worker.stop();
    }
  });
  after(async () => gw.close());

  it('when the OpenAPI document lists the /v1 routes, then each has a rule here and each rule a route', () => {
    expect(Object.keys(RULES).sort()).to.deep.equal(v1Operations().sort());
  });

  for (const op of v1Operations()) {
    for (const kind of KEY_KINDS) {
      it(`when ${op} is called with ${kind === 'none' ? 'no key' : kind === 'wrongScope' ? "the owner's key without the route's scope" : `an ${kind} key`.replace('an own', "the owner's").replace('an other', "another agency's").replace('an monitor', 'a monitor').replace('an expired', "the owner's expired")}, then the answer is exactly as allowed`, async function () {
        const rule = RULES[op];
        if (!rule) this.skip(); // the first test already failed for it
        const [method] = op.split(' ');
        const body = rule!.body?.(f, kind);
        const res = await fetch(`${gw.baseUrl}${rule!.url(f)}`, {
          method,
          headers: { ...authHeader(f.ring, kind, rule!.owner(f), scopesFor(method!, rule!.url(f).split('?')[0]!)), ...(body ? { 'content-type': body.contentType } : {}) },
          ...(body ? { body: body.data } : {}),
        });
        const text = await res.text();
        const want = kind === 'none' || kind === 'unknown' || kind === 'revoked' || kind === 'expired' ? 401 : kind === 'wrongScope' ? 403 : rule!.expect[kind];
        expect(res.status, text.slice(0, 300)).to.equal(want);
        if (want >= 400) expect(JSON.parse(text).error.code).to.equal({ 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[want]);
        expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      });
    }
  }

  it('when a key is revoked in the middle of a session, then its very next request is refused', async () => {
    const { id, key } = await createApiKey(gw.db, f.ring.sender.code, 'mid-session');
    const call = () => fetch(`${gw.baseUrl}/v1/outbox`, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await call()).status).to.equal(200);
    expect((await call()).status).to.equal(200);
    await revokeApiKey(gw.db, id);
    const after = await call();
    expect(after.status).to.equal(401);
    expect(after.body.error.code).to.equal('UNAUTHENTICATED');
  });
});
