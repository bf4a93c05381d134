import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';

/**
 * The kept text's trigger (migration 0099) refreshes only the words the text brings: the row it
 * leaves must be exactly what lt_search_row() computes from the whole document, whatever the
 * text holds (words also in the metadata, abbreviations' full forms, a long text), when the text
 * arrives, changes and goes.
 */
describe('search row after the kept text arrives, changes or goes: equal to the whole recompute', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let docs: { documentId: string }[];

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    docs = await seedDelivered(gw.db, sender.code, recipient.code, [
      { subject: 'Kế hoạch cải cách hành chính năm 2027', documentType: 'KH' },
      { subject: 'Về việc tổ chức hội nghị', notation: 'UBND-VP' },
      { subject: 'Thông báo lịch trực' },
    ]);
  });

  after(async () => {
    await gw?.close();
  });

  /** The stored row against lt_search_row() of the document as it is now, column by column. */
  async function expectWhole(documentId: string): Promise<string> {
    const r = await gw.db.query<{ stored: string; whole: string; meta: boolean; readers: boolean }>(
      `SELECT s.search_tsv::text AS stored, (lt_search_row(d)).search_tsv::text AS whole,
              s.search_meta = (lt_search_row(d)).search_meta AS meta, s.readers = (lt_search_row(d)).readers AS readers
         FROM document_search s JOIN documents d ON d.id = s.document_id WHERE s.document_id = $1`,
      [documentId],
    );
    expect(r.rows[0]!.stored).to.equal(r.rows[0]!.whole);
    expect(r.rows[0]!.meta).to.equal(true);
    expect(r.rows[0]!.readers).to.equal(true);
    return r.rows[0]!.stored;
  }

  it('when texts arrive (words also in the metadata, a full form of an abbreviation, a long text), then each row is what the whole recompute gives', async () => {
    const texts = [
      'Kế hoạch cải cách hành chính: Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì. Thông tư liên tịch số 01.',
      Array.from({ length: 3000 }, (_, i) => `đoạn ${i} về tổ chức hội nghị và quyết định số ${i}`).join('\n'),
      '',
    ];
    for (const [i, t] of texts.entries()) {
      const before = await expectWhole(docs[i]!.documentId);
      await gw.db.query(`INSERT INTO document_texts (document_id, content) VALUES ($1, $2)`, [docs[i]!.documentId, t]);
      const after = await expectWhole(docs[i]!.documentId);
      if (t) expect(after).to.not.equal(before);
    }
    // Weight D prints without a letter: the text's words are there, after the metadata's.
    const withText = await expectWhole(docs[0]!.documentId);
    expect(withText).to.include("'tri':");
    expect(withText).to.include("'ttlt':");
  });

  it('when a text changes and then is deleted (disposal), then the row follows and its words leave', async () => {
    await gw.db.query(`UPDATE document_texts SET content = 'Nội dung mới: phòng cháy chữa cháy' WHERE document_id = $1`, [docs[0]!.documentId]);
    const changed = await expectWhole(docs[0]!.documentId);
    expect(changed).to.include("'chay':");
    expect(changed).to.not.include("'ttlt':");
    await gw.db.query(`DELETE FROM document_texts WHERE document_id = $1`, [docs[0]!.documentId]);
    const gone = await expectWhole(docs[0]!.documentId);
    expect(gone).to.not.include("'chay':");
  });
});
