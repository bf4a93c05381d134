import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { ABBREVIATIONS } from '../../../services/domain/search/search-text';

describe('abbreviations as words of the index: "UBND" and "Ủy ban nhân dân" are one word, found without a phrase', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let ids: Record<string, string>;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    await gw.db.query(`UPDATE agencies SET name = 'Văn phòng thử nghiệm ' || code WHERE code = ANY($1)`, [[sender.code, recipient.code]]);
    const seeded = await seedDelivered(gw.db, sender.code, recipient.code, [
      { subject: 'Gửi Ủy ban nhân dân các huyện về lịch tiếp dân', notation: 'VP' },
      { subject: 'Gửi UBND các xã về lịch tiếp dân', notation: 'VP' },
      { subject: 'Hướng dẫn thực hiện Thông tư liên tịch về tiền lương', notation: 'VP' },
      { subject: 'Về lịch trực ban nhân dịp lễ', notation: 'VP', content: 'Ủy ban kiểm tra; nhân dân địa phương' },
    ]);
    ids = { full: seeded[0]!.documentId, abbr: seeded[1]!.documentId, ttlt: seeded[2]!.documentId, scattered: seeded[3]!.documentId };
  });

  after(async () => {
    await gw?.close();
  });

  async function found(q: string): Promise<string[]> {
    const r = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent(q)}&limit=50`, recipient.apiKey);
    expect(r.status).to.equal(200);
    expect(r.body.total).to.equal(r.body.items.length);
    return (r.body.items as { documentId: string }[]).map((i) => i.documentId).sort();
  }

  it('when the index\'s list (search_abbreviations) is read, then it names exactly the pairs the query side expands', async () => {
    const r = await gw.db.query<{ abbr: string; phrase: string }>(`SELECT abbr, phrase FROM search_abbreviations ORDER BY abbr`);
    expect(Object.fromEntries(r.rows.map((x) => [x.abbr, x.phrase]))).to.deep.equal(ABBREVIATIONS);
  });

  it('when either form is typed, then both documents are found, and words of the full form scattered apart are not', async () => {
    const both = [ids.full!, ids.abbr!].sort();
    expect(await found('UBND')).to.deep.equal(both);
    expect(await found('ủy ban nhân dân')).to.deep.equal(both);
    expect(await found('uy ban nhan dan lich tiep dan')).to.deep.equal(both);
    // "Ủy ban kiểm tra … nhân dân": every word of the full form is there, not the phrase.
    expect(await found('uy ban nhan')).to.include(ids.scattered);
    expect(await found('UBND')).to.not.include(ids.scattered);
  });

  it('when the longer full form is typed, then its own abbreviation is the word (TTLT, not TT and two more words)', async () => {
    expect(await found('TTLT')).to.deep.equal([ids.ttlt]);
    expect(await found('thông tư liên tịch')).to.deep.equal([ids.ttlt]);
    expect(await found('TT')).to.deep.equal([ids.ttlt]);
  });

  it('when the stored row is read, then the document\'s words carry the abbreviation of its full form', async () => {
    const r = await gw.db.query<{ tsv: string }>(`SELECT search_tsv::text AS tsv FROM document_search WHERE document_id = $1`, [ids.full]);
    expect(r.rows[0]!.tsv).to.match(/'ubnd':\d+A/);
    const s = await gw.db.query<{ tsv: string }>(`SELECT search_tsv::text AS tsv FROM document_search WHERE document_id = $1`, [ids.scattered]);
    expect(s.rows[0]!.tsv).to.not.contain("'ubnd'");
  });
});
