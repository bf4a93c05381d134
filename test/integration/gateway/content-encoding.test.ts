import zlib from 'node:zlib';
import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';

/**
 * A body's Content-Encoding, on every write route whichever parser reads it (the streaming JSON
 * reader of POST /v1/documents, express.json, express.raw): data that is not valid for its coding
 * is 400 VALIDATION_FAILED (`invalid_content_encoding`, a Vietnamese sentence), never a 500; a
 * coding not decoded is 415 UNSUPPORTED_MEDIA_TYPE (RFC 9110 § 15.5.16).
 */
describe('request bodies with a Content-Encoding: invalid data is 400, an unknown coding 415', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let agency: TestAgency;

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
  });
  after(async () => {
    await gw?.close();
  });

  const ROUTES: { path: string; type: string; body: string }[] = [
    { path: '/v1/documents', type: 'application/json', body: JSON.stringify({ metadata: {}, files: [] }) },
    { path: '/v1/inbox/01a24ee7-1fdf-7313-a941-dc2a9bc8ae46/status', type: 'application/json', body: '{"code":"01"}' },
    { path: '/v1/documents/01a24ee7-1fdf-7313-a941-dc2a9bc8ae46/revoke', type: 'application/json', body: '{"reason":"x"}' },
    { path: '/v1/paper-dispatches', type: 'application/json', body: '{}' },
    { path: '/v1/registers/books', type: 'application/json', body: '{"kind":"incoming","name":"Sổ thử"}' },
    { path: '/v1/edxml', type: 'application/xml', body: '<a/>' },
  ];

  async function post(path: string, type: string, encoding: string, body: Buffer) {
    const r = await fetch(`${gw.baseUrl}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': type, 'content-encoding': encoding } });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  function invalidBodies(plain: string): [string, string, Buffer][] {
    const gz = zlib.gzipSync(plain);
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 5]! ^= 0xff;
    return [
      ['gzip', 'plain text', Buffer.from(plain)],
      ['deflate', 'plain text', Buffer.from(plain)],
      ['gzip', 'truncated', gz.subarray(0, Math.min(15, gz.length - 1))],
      ['gzip', 'bad checksum', badCrc],
      ['deflate', 'gzip data', gz],
      ['br', 'plain text', Buffer.from('this is not brotli data at all, no no no')],
    ];
  }

  for (const route of ROUTES) {
    it(`when ${route.path} gets a body that is not valid data of its Content-Encoding, then 400 VALIDATION_FAILED with a code and a Vietnamese sentence`, async () => {
      for (const [enc, what, data] of invalidBodies(route.body)) {
        const r = await post(route.path, route.type, enc, data);
        expect(r.status, `${enc} ${what}`).to.equal(400);
        expect(r.body.error.code, `${enc} ${what}`).to.equal('VALIDATION_FAILED');
        expect(r.body.error.details[0].code, `${enc} ${what}`).to.equal('invalid_content_encoding');
        expect(r.body.error.message).to.match(/không giải nén được/);
      }
    });

    it(`when ${route.path} gets a Content-Encoding it does not decode, then 415 UNSUPPORTED_MEDIA_TYPE`, async () => {
      for (const enc of ['x-foo', 'compress', 'gzip, gzip']) {
        const r = await post(route.path, route.type, enc, Buffer.from(route.body));
        expect(r.status, enc).to.equal(415);
        expect(r.body.error.code, enc).to.equal('UNSUPPORTED_MEDIA_TYPE');
      }
    });
  }

  it('when a valid gzip, deflate or br body is sent, then it is read as the plain one would be', async () => {
    for (const [enc, pack] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync], ['br', zlib.brotliCompressSync]] as const) {
      const r = await post('/v1/registers/books', 'application/json', enc, pack(Buffer.from(JSON.stringify({ kind: 'incoming', name: `Sổ nén ${enc}` }))));
      expect(r.status, enc).to.equal(201);
      // The streaming reader too: a valid body reaches validation (the metadata is missing: 400 naming it, not the encoding).
      const d = await post('/v1/documents', 'application/json', enc, pack(Buffer.from(JSON.stringify({ metadata: {}, files: [] }))));
      expect(d.status, enc).to.be.oneOf([400, 422]);
      expect(d.body.error.details?.[0]?.code, enc).to.not.equal('invalid_content_encoding');
    }
  });
});
