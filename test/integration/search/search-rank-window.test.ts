import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { searchDocuments } from '../../../services/domain/search/document-search';
import { createUser } from '../../../services/domain/users/user.repository';

interface Item {
  documentId: string;
  rank: number | null;
  at: string;
}

/**
 * The rank window (LIENTHONG_SEARCH_RANK_WINDOW): every match is found and counted, the newest W
 * matches come first by relevance, the older ones follow newest first (rank null). Six documents:
 * five newer ones with the words in their file text only (weight D), one oldest with them in its
 * subject (weight A), the most relevant.
 */
describe('GET /v1/search rank window: the newest matches by relevance, then the older newest first, every match counted; the metadata substring among the agency\'s own documents', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let recipient: TestAgency;
  let stranger: TestAgency;
  let docs: { documentId: string; dispatchId: string }[];
  const saved = process.env.LIENTHONG_SEARCH_RANK_WINDOW;

  before(async () => {
    gw = await startGateway();
    const [sender, r, s] = (await createAgencies(gw.db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    recipient = r;
    stranger = s;
    docs = await seedDelivered(gw.db, sender.code, recipient.code, [
      ...Array.from({ length: 5 }, (_, i) => ({ subject: `Báo cáo tình hình chung tháng ${i + 1}`, content: `Phụ lục: công trình thủy lợi số ${i + 1}` })),
      { subject: 'Thủy lợi nội đồng: kế hoạch thủy lợi vùng cao', documentType: 'KH' },
    ]);
  });

  after(async () => {
    if (saved === undefined) delete process.env.LIENTHONG_SEARCH_RANK_WINDOW;
    else process.env.LIENTHONG_SEARCH_RANK_WINDOW = saved;
    await gw?.close();
  });

  async function walk(limit: number): Promise<{ items: Item[]; total: number }> {
    const items: Item[] = [];
    let cursor: string | null = null;
    let total = -1;
    for (let i = 0; i < 10; i++) {
      const r = await getJson(gw.baseUrl, `/v1/search?q=thuy+loi&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, recipient.apiKey);
      expect(r.status).to.equal(200);
      items.push(...(r.body.items as Item[]));
      total = r.body.total as number;
      cursor = r.body.nextCursor as string | null;
      if (!cursor) break;
    }
    return { items, total };
  }

  it('when every match is in the window, then the most relevant (oldest) document is first', async () => {
    process.env.LIENTHONG_SEARCH_RANK_WINDOW = '0';
    const { items, total } = await walk(50);
    expect(total).to.equal(6);
    expect(items[0]!.documentId).to.equal(docs[5]!.documentId);
    expect(items.every((i) => typeof i.rank === 'number')).to.equal(true);
  });

  it('when the window holds the 3 newest matches, then they come first by rank, the older follow newest first, the relevant old one last, and pages of 2 walk the same order', async () => {
    process.env.LIENTHONG_SEARCH_RANK_WINDOW = '3';
    const whole = await walk(50);
    expect(whole.total).to.equal(6);
    expect(whole.items.map((i) => i.documentId)).to.have.members(docs.map((d) => d.documentId));
    const [inWindow, older] = [whole.items.slice(0, 3), whole.items.slice(3)];
    expect(inWindow.map((i) => i.documentId)).to.have.members(docs.slice(0, 3).map((d) => d.documentId));
    expect(inWindow.every((i) => typeof i.rank === 'number' && i.rank > 0)).to.equal(true);
    const ranks = inWindow.map((i) => i.rank as number);
    expect(ranks).to.deep.equal([...ranks].sort((a, b) => b - a));
    expect(older.map((i) => i.documentId)).to.deep.equal(docs.slice(3).map((d) => d.documentId));
    expect(older.every((i) => i.rank === null)).to.equal(true);
    // The most relevant document is beyond the window: it comes after it, last here.
    expect(whole.items[5]!.documentId).to.equal(docs[5]!.documentId);
    const paged = await walk(2);
    expect(paged.total).to.equal(6);
    expect(paged.items.map((i) => i.documentId)).to.deep.equal(whole.items.map((i) => i.documentId));
  });

  it('when a number and notation is typed that whole words do not find ("6/UBND" for 06/UBND-VP), then the substring finds it among the agency\'s own documents, and not for another agency', async () => {
    const mine = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('6/UBND')}`, recipient.apiKey);
    expect(mine.status).to.equal(200);
    expect(mine.body.total).to.equal(1);
    expect(mine.body.items[0].documentId).to.equal(docs[5]!.documentId);
    const theirs = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('6/UBND')}`, stranger.apiKey);
    expect(theirs.status).to.equal(200);
    expect(theirs.body.total).to.equal(0);
  });

  it('when the reader is restricted to the copies given to them (unit heads, specialists), then a word search counts and shows only those', async () => {
    const user = await createUser(gw.db, { agencyCode: recipient.code, username: `cv-${recipient.code.toLowerCase().replace(/[^a-z0-9]/g, '')}`, role: 'clerk', password: 'Mat-khau-rat-dai-2026!' });
    const given = { givenTo: { userId: user.id, departmentId: null } };
    const none = await searchDocuments(gw.db, recipient.code, { q: 'thuy loi', limit: 50 } as never, given, { rankWindow: 3 });
    expect(none.total).to.equal(0);
    await gw.db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, handler_user_id) VALUES ($1, $2, 'assigned', $3)`, [docs[4]!.dispatchId, recipient.code, user.id]);
    const mine = await searchDocuments(gw.db, recipient.code, { q: 'thuy loi', limit: 50 } as never, given, { rankWindow: 3 });
    expect(mine.total).to.equal(1);
    expect(mine.items.map((i) => i.documentId)).to.deep.equal([docs[4]!.documentId]);
    const everyone = await searchDocuments(gw.db, recipient.code, { q: 'thuy loi', limit: 50 } as never, {}, { rankWindow: 3 });
    expect(everyone.total).to.equal(6);
  });
});
