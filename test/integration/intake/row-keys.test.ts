import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Issue 25, item 6: the keys of accepted documents and of their copies are made in time order
 * (services/db/row-id.ts), so intake writes to the newest pages of the indexes keyed by them however
 * much history the database holds.
 */
describe('intake: documents and their copies get keys in time order', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipients: TestAgency[];

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 4);
    sender = agencies[0]!;
    recipients = agencies.slice(1);
  });
  after(async () => gw.close());

  it('when documents are accepted one after another, then their ids and their copies\' ids are version 7 UUIDs that PostgreSQL orders as they were accepted', async () => {
    const pdf = (await makePdf(1)).toString('base64');
    const accepted: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await postDocument(gw.baseUrl, sender.apiKey, {
        metadata: metadataFor(recipients.map((r) => r.code), { subject: `Khóa theo thời gian ${i}` }),
        files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf }],
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      accepted.push(res.body.id as string);
    }
    for (const id of accepted) expect(id).to.match(UUID_V7);
    const byKey = await gw.db.query<{ id: string }>(`SELECT id FROM documents WHERE id = ANY($1::uuid[]) ORDER BY id`, [accepted]);
    expect(byKey.rows.map((r) => r.id), 'ORDER BY id is the order of acceptance').to.deep.equal(accepted);
    const copies = await gw.db.query<{ document_id: string; id: string }>(
      `SELECT document_id, id FROM dispatches WHERE document_id = ANY($1::uuid[]) ORDER BY id`,
      [accepted],
    );
    expect(copies.rows).to.have.length(accepted.length * recipients.length);
    for (const c of copies.rows) expect(c.id).to.match(UUID_V7);
    // The copies of each document come after the previous document's copies.
    expect(copies.rows.map((c) => accepted.indexOf(c.document_id))).to.deep.equal(
      accepted.flatMap((_, i) => recipients.map(() => i)),
    );
  });
});
