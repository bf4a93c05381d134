import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { sampleEdxml, multipartBody, type FuzzSeeds } from '../../support/fuzz-inputs';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process';
import { billionLaughs, CONFUSABLE_CODE, deeplyNestedJson, xxe, zipBomb } from '../../support/hostile-inputs';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';
import { testEnv } from '../../support/test-env';

interface Answer {
  status: number;
  body: any;
}

/**
 * Hand-made attacks against the gateway process: each must get a 4xx with an error code, leave
 * nothing in the database, and leave the process alive.
 */
describe('hostile input: crafted attacks are refused with a 4xx and leave nothing behind', function () {
  this.timeout(120_000);
  let gw: GatewayProcess;
  let db: Db;
  let sender: TestAgency;
  let seeds: FuzzSeeds;
  let bomb: Buffer;

  const post = async (path: string, contentType: string, body: string | Buffer): Promise<Answer> => {
    const res = await fetch(`${gw.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${sender.apiKey}`, 'content-type': contentType }, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const postJson = (body: unknown) => post('/v1/documents', 'application/json', JSON.stringify(body));
  const withPdf = (metadata: unknown) => ({ metadata, files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: seeds.pdf.toString('base64') }] });

  const CASES: { name: string; send: () => Promise<Answer>; code?: string }[] = [
    { name: 'an edXML envelope with an external entity (XXE)', send: () => post('/v1/edxml', 'application/xml', xxe(sampleEdxml(seeds))), code: 'INVALID_EDXML' },
    { name: 'an edXML envelope with a billion laughs', send: () => post('/v1/edxml', 'application/xml', billionLaughs(sampleEdxml(seeds))), code: 'INVALID_EDXML' },
    {
      name: 'an edXML envelope whose zipped attachment is a zip bomb',
      // The bomb is built in before(): compressing 64 MiB blocks this process for seconds on a busy
      // machine, long enough for the gateway to close the idle keep-alive socket the request then reuses.
      send: () => post('/v1/edxml', 'application/xml', sampleEdxml(seeds, [{ name: 'ho-so.zip', contentType: 'application/zip', bytes: bomb }])),
      code: 'INVALID_EDXML',
    },
    { name: 'JSON nested 100,000 deep', send: () => post('/v1/documents', 'application/json', deeplyNestedJson(100_000)) },
    { name: 'JSON nested 100,000 deep inside the signer', send: () => post('/v1/documents', 'application/json', JSON.stringify(withPdf(metadataFor(seeds.recipients))).replace('"signer":', `"signer":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)},"x":`)) },
    { name: '10,000 recipients', send: () => postJson(withPdf(metadataFor(Array.from({ length: 10_000 }, (_, i) => `000.00.${String(i).padStart(2, '0')}.H15`)))) },
    { name: `a Cyrillic 'Н' in a recipient code (${CONFUSABLE_CODE})`, send: () => postJson(withPdf(metadataFor([CONFUSABLE_CODE]))), code: 'VALIDATION_FAILED' },
    { name: 'a Cyrillic recipient code in an edXML envelope', send: () => post('/v1/edxml', 'application/xml', sampleEdxml({ ...seeds, recipients: [CONFUSABLE_CODE] })) },
    { name: 'a Cyrillic sender code in an edXML envelope', send: () => post('/v1/edxml', 'application/xml', sampleEdxml({ ...seeds, senderCode: seeds.senderCode.replace('H', '\u041d').replace(/^(\w)/, '$1') + '\u041d' })) },
    { name: 'a right-to-left override in a recipient code', send: () => postJson(withPdf(metadataFor(['000.00.00.\u202eH15']))), code: 'VALIDATION_FAILED' },
    { name: 'a prototype-polluting metadata key', send: () => post('/v1/documents', 'application/json', JSON.stringify(withPdf(metadataFor(seeds.recipients))).replace('"metadata":{', '"metadata":{"__proto__":{"isAdmin":true},')), code: 'VALIDATION_FAILED' },
    {
      name: 'a multipart body whose boundary never closes',
      send: () => post('/v1/documents', 'multipart/form-data; boundary=xyz', multipartBody([{ name: 'metadata', type: 'application/json', bytes: Buffer.from('{}') }], 'xyz').subarray(0, 60)),
    },
    { name: 'a file whose base64 is not base64', send: () => postJson({ metadata: metadataFor(seeds.recipients), files: [{ name: 'vb.pdf', contentBase64: '%%%not base64%%%' }] }) },
  ];

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    gw = await spawnGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '0' });
    const agencies = await createAgencies(db, 3, { withCertificates: false, signers: 1 });
    sender = agencies[0]!;
    seeds = { pdf: await makePdf(1), senderCode: sender.code, senderName: sender.name, recipients: agencies.slice(1).map((a) => a.code) };
    bomb = zipBomb();
  });
  after(async () => {
    await gw.stop();
    await db.end();
  });

  for (const c of CASES) {
    it(`when the gateway receives ${c.name}, then it answers 4xx with an error code and stores nothing`, async () => {
      const before = await tableCounts(db);
      const res = await c.send();
      expect(res.status, JSON.stringify(res.body)).to.be.within(400, 499);
      expect(res.body?.error?.code, JSON.stringify(res.body)).to.be.a('string');
      if (c.code) expect(res.body.error.code).to.equal(c.code);
      expect(await tableCounts(db)).to.deep.equal(before);
      expect(gw.alive(), 'the gateway process is still running').to.equal(true);
    });
  }

  it('when a file is named ../../etc/passwd.pdf, then the document is accepted under a name without any path', async () => {
    const boundary = 'traversal';
    const body = multipartBody(
      [
        { name: 'metadata', type: 'application/json', bytes: Buffer.from(JSON.stringify(metadataFor(seeds.recipients))) },
        { name: 'file', fileName: '../../etc/passwd.pdf', type: 'application/pdf', bytes: seeds.pdf },
        { name: 'attachments', fileName: '..\\..\\windows\\system32\\phu-luc.pdf', type: 'application/pdf', bytes: seeds.pdf },
      ],
      boundary,
    );
    const res = await post('/v1/documents', `multipart/form-data; boundary=${boundary}`, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const names = (await db.query(`SELECT name FROM document_files WHERE document_id = $1 ORDER BY role`, [res.body.id])).rows.map((r) => r.name as string);
    expect(names).to.have.length.greaterThan(0);
    for (const n of names) {
      expect(n).not.to.match(/[\\/]|\.\./);
      expect(n).not.to.contain('\u0000');
    }
    expect(names).to.include('passwd.pdf');
  });
});
