import { expect } from 'chai';
import { API_KEY_CACHE_MS, createApiKey, revokeApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';

interface Case {
  name: string;
  status: number;
  code: string;
  /** Builds the request for this case. */
  send: (ctx: { sender: TestAgency; other: TestAgency; pdf: Buffer; url: string }) => Promise<{ status: number; body: any }>;
}

const raw = (url: string, key: string, body: string | FormData, headers: Record<string, string>) =>
  fetch(`${url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body }).then(async (r) => ({
    status: r.status,
    body: await r.json().catch(() => null),
  }));

const json = (ctx: { sender: TestAgency; pdf: Buffer; url: string }, metadata: unknown, extra: Record<string, unknown> = {}) =>
  postDocument(ctx.url, ctx.sender.apiKey, {
    metadata,
    files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: ctx.pdf.toString('base64') }],
    ...extra,
  });

const CASES: Case[] = [
  { name: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', send: (c) => raw(c.url, c.sender.apiKey, '{"metadata": {', { 'content-type': 'application/json' }) },
  { name: 'a JSON array instead of an object', status: 400, code: 'VALIDATION_FAILED', send: (c) => raw(c.url, c.sender.apiKey, '[1,2]', { 'content-type': 'application/json' }) },
  { name: 'an unknown metadata field', status: 400, code: 'VALIDATION_FAILED', send: (c) => json(c, metadataFor([c.other.code], { colour: 'red' })) },
  { name: 'an unknown top-level field', status: 400, code: 'VALIDATION_FAILED', send: (c) => json(c, metadataFor([c.other.code]), { extra: 1 }) },
  {
    name: 'a missing subject',
    status: 400,
    code: 'VALIDATION_FAILED',
    send: (c) => {
      const m = metadataFor([c.other.code]);
      delete m.subject;
      return json(c, m);
    },
  },
  { name: 'an unknown recipient code', status: 422, code: 'UNKNOWN_RECIPIENT', send: (c) => json(c, metadataFor(['000.99.99.Z99'])) },
  { name: 'an unknown group', status: 422, code: 'UNKNOWN_RECIPIENT', send: (c) => json(c, metadataFor(['group:no-such-group'])) },
  { name: 'a recipient code with lower-case letters', status: 400, code: 'VALIDATION_FAILED', send: (c) => json(c, metadataFor(['000.00.01.h15'])) },
  { name: 'a document addressed to its own sender only', status: 422, code: 'NO_RECIPIENTS', send: (c) => json(c, metadataFor([c.sender.code])) },
  {
    name: 'an empty file declared as PDF',
    status: 422,
    code: 'INVALID_FILE',
    send: (c) => postDocument(c.url, c.sender.apiKey, documentForm(metadataFor([c.other.code]), Buffer.alloc(0))),
  },
  {
    name: 'a non-PDF file declared as PDF',
    status: 422,
    code: 'INVALID_FILE',
    send: (c) => postDocument(c.url, c.sender.apiKey, documentForm(metadataFor([c.other.code]), Buffer.from('<html>not a pdf</html>'))),
  },
  {
    name: 'a file over the size limit',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    send: (c) => postDocument(c.url, c.sender.apiKey, documentForm(metadataFor([c.other.code]), Buffer.concat([c.pdf, Buffer.alloc(300_000)]))),
  },
  {
    name: 'a JSON body over the size limit',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    send: (c) => json(c, metadataFor([c.other.code]), { files: [{ name: 'a.pdf', contentBase64: Buffer.alloc(700_000).toString('base64') }] }),
  },
  {
    name: 'too many recipients after group expansion',
    status: 400,
    code: 'VALIDATION_FAILED',
    send: async (c) => json(c, metadataFor([c.other.code, ...(await extraCodes())])),
  },
  {
    name: 'too many files',
    status: 400,
    code: 'VALIDATION_FAILED',
    send: (c) =>
      postDocument(c.url, c.sender.apiKey, {
        metadata: metadataFor([c.other.code]),
        files: Array.from({ length: 4 }, (_, i) => ({ name: `${i}.pdf`, contentBase64: c.pdf.toString('base64') })),
      }),
  },
  { name: 'an unsupported media type', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', send: (c) => raw(c.url, c.sender.apiKey, 'hello', { 'content-type': 'text/plain' }) },
  {
    name: 'a classified (Mật) document',
    status: 422,
    code: 'CLASSIFIED_DOCUMENT',
    send: (c) => json(c, metadataFor([c.other.code], { classification: 'confidential' })),
  },
  {
    name: 'an issue date far in the future',
    status: 400,
    code: 'VALIDATION_FAILED',
    send: (c) => json(c, metadataFor([c.other.code], { issuedOn: `${new Date().getUTCFullYear() + 1}-01-15` })),
  },
  { name: 'an impossible date', status: 400, code: 'VALIDATION_FAILED', send: (c) => json(c, metadataFor([c.other.code], { issuedOn: '2026-02-31' })) },
  {
    name: 'no API key',
    status: 401,
    code: 'UNAUTHENTICATED',
    send: (c) => fetch(`${c.url}/v1/documents`, { method: 'POST' }).then(async (r) => ({ status: r.status, body: await r.json() })),
  },
  { name: 'an unknown API key', status: 401, code: 'UNAUTHENTICATED', send: (c) => postDocument(c.url, 'lt_' + 'x'.repeat(43), {}) },
  {
    name: 'a key acting as another agency',
    status: 403,
    code: 'FORBIDDEN',
    send: (c) => json(c, metadataFor([c.other.code], { sender: c.other.code })),
  },
  {
    name: 'a multipart request without its file part',
    status: 400,
    code: 'VALIDATION_FAILED',
    send: (c) => {
      const form = new FormData();
      form.append('metadata', JSON.stringify(metadataFor([c.other.code])));
      return postDocument(c.url, c.sender.apiKey, form);
    },
  },
  {
    name: 'a multipart metadata part that is not JSON',
    status: 400,
    code: 'MALFORMED_JSON',
    send: (c) => {
      const form = new FormData();
      form.append('metadata', '{oops');
      form.append('file', new Blob([c.pdf], { type: 'application/pdf' }), 'a.pdf');
      return postDocument(c.url, c.sender.apiKey, form);
    },
  },
];

let extraCodes: () => Promise<string[]> = async () => [];

describe('intake refuses bad input with a clear error and leaves nothing behind', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let other: TestAgency;
  let pdf: Buffer;

  before(async () => {
    gw = await startGateway({ LIENTHONG_MAX_FILE_BYTES: '200000', LIENTHONG_MAX_JSON_BYTES: '600000', LIENTHONG_MAX_FILES: '3', LIENTHONG_MAX_RECIPIENTS: '3' });
    [sender, other] = (await createAgencies(gw.db, 2, { withCertificates: false, signers: 1 })) as [TestAgency, TestAgency];
    const more = await createAgencies(gw.db, 3, { withCertificates: false });
    extraCodes = async () => more.map((a) => a.code);
    pdf = await makePdf(1);
  });
  after(async () => gw.close());

  for (const c of CASES) {
    it(`when a request carries ${c.name}, then it gets ${c.status} ${c.code} with a sentence, and no row, blob or job is written`, async () => {
      const before = await tableCounts(gw.db);
      const res = await c.send({ sender, other, pdf, url: gw.baseUrl });
      expect(res.status, JSON.stringify(res.body)).to.equal(c.status);
      expect(res.body.error.code).to.equal(c.code);
      expect(res.body.error.message).to.be.a('string').with.length.greaterThan(10);
      expect(res.body.error.details).to.be.an('array');
      expect(await tableCounts(gw.db)).to.deep.equal(before);
    });
  }

  it('when a key is revoked through revokeApiKey, then it stops working at once', async () => {
    const [a] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    const { id, key } = await createApiKey(gw.db, a.code, 'revoked at once');
    const call = () => fetch(`${gw.baseUrl}/v1/inbox`, { headers: { authorization: `Bearer ${key}` } });
    expect((await call()).status).to.equal(200);
    expect((await call()).status).to.equal(200); // now remembered by the gateway
    await revokeApiKey(gw.db, id);
    expect((await call()).status).to.equal(401);
  });

  it('when a key is revoked behind the gateway (another process, plain SQL), then it is refused within API_KEY_CACHE_MS', async () => {
    const [a] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    const ok = await fetch(`${gw.baseUrl}/v1/inbox`, { headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(ok.status).to.equal(200);
    await gw.db.query(`UPDATE api_keys SET revoked_at = now() WHERE agency_code = $1`, [a.code]);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < API_KEY_CACHE_MS + 1_000) {
      status = (await fetch(`${gw.baseUrl}/v1/inbox`, { headers: { authorization: `Bearer ${a.apiKey}` } })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).to.equal(401);
    expect(Date.now() - revokedAt).to.be.below(API_KEY_CACHE_MS + 1_000);
  });
});
