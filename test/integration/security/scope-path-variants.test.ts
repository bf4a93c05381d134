import { expect } from 'chai';
import { scopesFor } from '../../../services/gateway/security/require-scope';
import { openApiDocument } from '../../../services/gateway/openapi/openapi-document';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { keyRing, type KeyRing } from '../../support/key-kinds';
import { seedDelivered } from '../../support/seed-documents';

/**
 * API-key scopes hold whatever the spelling of the path (README § Security): Express routes
 * case-insensitively and ignores one trailing slash, so the scope table matches the same way, and a
 * path in no row of the table needs a scope no key has — never the method's default.
 */
describe('API-key scopes: path case, trailing slash and unknown paths', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let ring: KeyRing;
  let dispatchId: string;

  before(async () => {
    gw = await startGateway();
    ring = await keyRing(gw.db);
    [{ dispatchId }] = (await seedDelivered(gw.db, ring.sender.code, ring.recipient.code, [{ subject: 'Văn bản thử phạm vi khóa' }])) as [{ documentId: string; dispatchId: string }];
  });
  after(async () => {
    await gw?.close();
  });

  it('when a key without the status scope posts a status through /v1/INBOX/…, a trailing slash or mixed case, then 403 FORBIDDEN and nothing is recorded', async () => {
    const variants = [`/v1/INBOX/${dispatchId}/status`, `/v1/inbox/${dispatchId}/status/`, `/V1/Inbox/${dispatchId}/STATUS/`, `/v1/inbox/${dispatchId.toUpperCase()}/Status`];
    for (const [path, key] of variants.flatMap((p) => [[p, ring.scoped[ring.recipient.code]!.send], [p, ring.scoped[ring.recipient.code]!.read]] as const)) {
      // The recipient's send-only and read-only keys.
      const res = await fetch(`${gw.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: '03' }),
      });
      const text = await res.text();
      expect(res.status, `${path}: ${text.slice(0, 200)}`).to.equal(403);
      expect(JSON.parse(text).error.code).to.equal('FORBIDDEN');
    }
    const r = await gw.db.query(`SELECT status FROM dispatches WHERE id = $1`, [dispatchId]);
    expect(r.rows[0].status).to.equal('delivered');
    // The status key itself still posts, whatever the spelling.
    const ok = await fetch(`${gw.baseUrl}/v1/INBOX/${dispatchId}/status/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ring.scoped[ring.recipient.code]!.status}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: '03' }),
    });
    expect(ok.status, await ok.text()).to.equal(200);
  });

  it('when paths are spelled as Express would route them, then they need the scopes of their route; an unknown path needs a scope no key has', () => {
    expect(scopesFor('POST', '/v1/INBOX/x/status')).to.deep.equal(['status']);
    expect(scopesFor('POST', '/v1/inbox/x/status/')).to.deep.equal(['status']);
    expect(scopesFor('GET', '/v1/Stats/edoc-rate/')).to.deep.equal(['read', 'monitor']);
    expect(scopesFor('HEAD', '/v1/inbox')).to.deep.equal(['read']);
    expect(scopesFor('POST', '/v1/inbox/x/status//')).to.deep.equal([]);
    expect(scopesFor('POST', '/v1/no-such-route')).to.deep.equal([]);
    expect(scopesFor('GET', '/v1/no-such-route')).to.deep.equal([]);
    expect(scopesFor('DELETE', '/v1/documents/x')).to.deep.equal([]);
  });

  it('when the OpenAPI document lists an operation a key may call, then the scope table has a row for it', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const open = new Set(['/v1/openapi.json', '/v1/docs', '/v1/peer/agencies']);
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/') || open.has(path)) continue;
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
        const concrete = path.replace(/\{[^}]+\}/g, 'x');
        expect(scopesFor(method.toUpperCase(), concrete), `${method.toUpperCase()} ${path}`).to.not.deep.equal([]);
      }
    }
  });
});
