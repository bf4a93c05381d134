import { expect } from 'chai';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

type Doc = { paths: Record<string, Record<string, any>> };

/** Checks one real exchange against the published document: request body, then response body. */
function checker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = (schema: object, value: unknown, what: string) => {
    const { $schema: _s, ...rest } = schema as Record<string, unknown>;
    const ok = ajv.validate(rest, value);
    expect(ok, `${what}: ${ajv.errorsText()}`).to.equal(true);
  };
  return (path: string, method: string, request: unknown, status: number, response: unknown) => {
    const op = doc.paths[path]?.[method];
    expect(op, `${method} ${path} is in the OpenAPI document`).to.exist;
    if (request !== undefined) validate(op.requestBody.content['application/json'].schema, request, `${method} ${path} request`);
    const declared = op.responses[String(status)];
    expect(declared, `${method} ${path} declares ${status}`).to.exist;
    validate(declared.content['application/json'].schema, response, `${method} ${path} ${status} response`);
  };
}

describe('the OpenAPI document matches what the server accepts and answers', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
  });
  after(async () => gw.close());

  it('when a document goes through its life over the API, then every request and response validates against /v1/openapi.json', async () => {
    const docRes = await fetch(`${gw.baseUrl}/v1/openapi.json`);
    expect(docRes.status).to.equal(200);
    const doc = (await docRes.json()) as Doc & { openapi: string };
    expect(doc.openapi).to.equal('3.1.0');
    const check = checker(doc);
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const res = await fetch(`${gw.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    };

    const submit = { metadata: metadataFor([recipient.code]), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: (await makePdf(1)).toString('base64') }] };
    const posted = await call('POST', '/v1/documents', sender.apiKey, submit);
    check('/v1/documents', 'post', submit, posted.status, posted.body);
    const id = posted.body.id as string;

    const worker = spawnWorker();
    try {
      await waitFor('delivery', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rowCount === 1);
    } finally {
      await worker.stop();
    }
    const view = await call('GET', `/v1/documents/${id}`, sender.apiKey);
    check('/v1/documents/{id}', 'get', undefined, view.status, view.body);
    const inbox = await call('GET', '/v1/inbox', recipient.apiKey);
    check('/v1/inbox', 'get', undefined, inbox.status, inbox.body);
    const status = { code: '03', note: 'vào sổ' };
    const st = await call('POST', `/v1/inbox/${view.body.dispatches[0].id}/status`, recipient.apiKey, status);
    check('/v1/inbox/{dispatchId}/status', 'post', status, st.status, st.body);
    const outbox = await call('GET', '/v1/outbox', sender.apiKey);
    check('/v1/outbox', 'get', undefined, outbox.status, outbox.body);
    const agencies = await call('GET', '/v1/agencies', sender.apiKey);
    check('/v1/agencies', 'get', undefined, agencies.status, agencies.body);
    const revoke = { reason: 'thử nghiệm' };
    const rv = await call('POST', `/v1/documents/${id}/revoke`, sender.apiKey, revoke);
    check('/v1/documents/{id}/revoke', 'post', revoke, rv.status, rv.body);
    const bad = await call('POST', '/v1/documents', sender.apiKey, { metadata: {} });
    check('/v1/documents', 'post', undefined, bad.status, bad.body);
    expect(bad.status).to.equal(400);
  });

  it('when a request breaks the published schema, then the server refuses it too', async () => {
    const doc = (await (await fetch(`${gw.baseUrl}/v1/openapi.json`)).json()) as Doc;
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const { $schema: _s, ...schema } = doc.paths['/v1/inbox/{dispatchId}/status']!.post.requestBody.content['application/json'].schema;
    const body = { code: '07' };
    expect(ajv.validate(schema, body)).to.equal(false);
    const res = await fetch(`${gw.baseUrl}/v1/inbox/00000000-0000-4000-8000-000000000000/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${recipient.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).to.equal(400);
  });

  it('when a person opens /v1/docs, then the reference page loads its renderer from this server only (no CDN) under a strict CSP', async () => {
    const res = await fetch(`${gw.baseUrl}/v1/docs`);
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.contain('Liên Thông API v1');
    expect(html).to.not.match(/(src|href)="(https?:)?\/\//);
    expect(res.headers.get('content-security-policy')).to.include("script-src 'self'");
    for (const asset of ['docs/assets/swagger-ui-bundle.js', 'docs/assets/swagger-ui.css', 'docs/init.js']) {
      expect(html).to.contain(asset);
      const a = await fetch(`${gw.baseUrl}/v1/${asset}`);
      expect(a.status, asset).to.equal(200);
      expect((await a.arrayBuffer()).byteLength).to.be.greaterThan(100);
    }
    const doc = (await (await fetch(`${gw.baseUrl}/v1/openapi.json`)).json()) as any;
    expect(JSON.stringify(doc)).to.not.contain('../shared');
    const submit = doc.paths['/v1/documents'].post;
    expect(submit.summary).to.match(/^Gửi văn bản/);
    expect(submit.description).to.include('```sh').and.include('```ts');
    expect(submit.responses['422'].description).to.include('UNKNOWN_RECIPIENT');
  });
});
