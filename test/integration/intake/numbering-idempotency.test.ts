import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';

describe('numbering, duplicates and Idempotency-Key', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let other: TestAgency;
  let pdfB64: string;

  const submit = (metadata: Record<string, unknown>, headers: Record<string, string> = {}, b64 = pdfB64) =>
    postDocument(gw.baseUrl, sender.apiKey, { metadata, files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: b64 }] }, headers);

  before(async () => {
    gw = await startGateway();
    [sender, other] = (await createAgencies(gw.db, 2, { withCertificates: false, signers: 2 })) as [TestAgency, TestAgency];
    pdfB64 = (await makePdf(1)).toString('base64');
  });
  after(async () => gw.close());

  it('when 200 documents without numbers are submitted in parallel by one agency, then they get 200 distinct consecutive numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => submit(metadataFor([other.code], { issuedOn: '2025-06-01', subject: `Văn bản số ${i}` }))),
    );
    expect(results.map((r) => r.status)).to.deep.equal(Array(200).fill(202));
    const rows = await gw.db.query(`SELECT number FROM documents WHERE sender_code = $1 AND year = 2025 ORDER BY number`, [sender.code]);
    const numbers = rows.rows.map((r) => Number(r.number)).sort((a, b) => a - b);
    expect(numbers).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(rows.rows[0].number).to.equal('01');
  });

  it('when the year changes, then numbering restarts at 01; a given number moves the register past it', async () => {
    const first = await submit(metadataFor([other.code], { issuedOn: '2024-01-02' }));
    expect(first.status).to.equal(202);
    const given = await submit(metadataFor([other.code], { issuedOn: '2024-01-03', number: '015' }));
    expect(given.status).to.equal(202);
    const next = await submit(metadataFor([other.code], { issuedOn: '2024-01-04' }));
    const numbers = await gw.db.query(`SELECT id, number FROM documents WHERE id = ANY($1::uuid[])`, [[first.body.id, given.body.id, next.body.id]]);
    const byId = Object.fromEntries(numbers.rows.map((r) => [r.id, r.number]));
    expect([byId[first.body.id], byId[given.body.id], byId[next.body.id]]).to.deep.equal(['01', '015', '16']);
  });

  it('when a number already used that year is given again, then 409 DUPLICATE_DOCUMENT names the existing document and nothing is written', async () => {
    const first = await submit(metadataFor([other.code], { issuedOn: '2023-05-05', number: '7' }));
    expect(first.status).to.equal(202);
    const before = await tableCounts(gw.db);
    const dup = await submit(metadataFor([other.code], { issuedOn: '2023-07-07', number: '7', subject: 'Khác' }));
    expect(dup.status).to.equal(409);
    expect(dup.body.error.code).to.equal('DUPLICATE_DOCUMENT');
    expect(dup.body.error.details).to.deep.equal([{ documentId: first.body.id }]);
    expect(await tableCounts(gw.db)).to.deep.equal(before);
  });

  it('when the same Idempotency-Key comes with the same body, then the first result is returned; with another body, 422', async () => {
    const m = metadataFor([other.code], { issuedOn: '2022-02-02' });
    const key = `retry-${Date.now()}`;
    const a = await submit(m, { 'Idempotency-Key': key });
    expect(a.status).to.equal(202);
    const before = await tableCounts(gw.db);
    const b = await submit(m, { 'Idempotency-Key': key });
    expect(b.status).to.equal(202);
    expect(b.body).to.deep.equal(a.body);
    expect(b.headers.get('idempotent-replayed')).to.equal('true');
    const c = await submit({ ...m, subject: 'Một nội dung khác' }, { 'Idempotency-Key': key });
    expect(c.status).to.equal(422);
    expect(c.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect(await tableCounts(gw.db)).to.deep.equal(before);
  });

  it('when ten retries with one Idempotency-Key race each other, then exactly one document exists', async () => {
    const m = metadataFor([other.code], { issuedOn: '2021-03-03' });
    const key = `race-${Date.now()}`;
    const rs = await Promise.all(Array.from({ length: 10 }, () => submit(m, { 'Idempotency-Key': key })));
    expect(rs.map((r) => r.status)).to.deep.equal(Array(10).fill(202));
    expect(new Set(rs.map((r) => r.body.id)).size).to.equal(1);
    const n = await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1 AND idempotency_key = $2`, [sender.code, key]);
    expect(n.rows[0].n).to.equal(1);
  });
});
