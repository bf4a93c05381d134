import { expect } from 'chai';
import type { SearchItem } from '../../../contracts';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { searchDocuments, type SearchResultPage } from '../../../services/domain/search/document-search';
import { searchAll } from '../../../services/domain/search/search-all';
import { createUser } from '../../../services/domain/users/user.repository';

/**
 * The count limit (LIENTHONG_SEARCH_COUNT_LIMIT): a word search matching more documents than the
 * limit stops counting, says "at least N" (totalExact false) and lists its matches newest first,
 * walked along the lists' indexes; `count=exact` still counts and ranks every match. The agency R
 * has received 8 matching copies and sent 3 matching documents, with non-matching ones among them.
 */
describe('GET /v1/search count limit: a broad search says "at least", lists newest first and pages to the end; count=exact counts every match', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let r: TestAgency;
  let received: { documentId: string; dispatchId: string }[];
  let sent: { documentId: string; dispatchId: string }[];
  const saved = process.env.LIENTHONG_SEARCH_COUNT_LIMIT;
  const LIMIT = 4;
  const q = 'chuyen doi so';

  before(async () => {
    gw = await startGateway();
    const [s, rr, t] = (await createAgencies(gw.db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    r = rr;
    received = await seedDelivered(gw.db, s.code, r.code, [
      ...Array.from({ length: 4 }, (_, i) => ({ subject: `Chuyển đổi số trong cải cách hành chính, đợt ${i + 1}` })),
      { subject: 'Kế hoạch phòng cháy chữa cháy mùa khô' },
      ...Array.from({ length: 4 }, (_, i) => ({ subject: `Báo cáo tháng ${i + 1}`, content: `Nội dung: chuyển đổi số cấp xã, mục ${i + 1}`, documentType: 'BC' })),
    ]);
    sent = await seedDelivered(gw.db, r.code, t.code, [
      { subject: 'Đề án chuyển đổi số của sở' },
      { subject: 'Giấy mời họp giao ban' },
      { subject: 'Tổng hợp chuyển đổi số quý IV' },
      { subject: 'Chuyển đổi số: danh mục dữ liệu mở' },
    ]);
    // Interleave the boxes in time: the sent documents sit between the received copies.
    for (const [i, d] of sent.entries()) {
      await gw.db.query(`UPDATE documents SET created_at = now() - make_interval(mins => $2::int) - interval '30 seconds' WHERE id = $1`, [d.documentId, 2 * i]);
    }
  });

  after(async () => {
    if (saved === undefined) delete process.env.LIENTHONG_SEARCH_COUNT_LIMIT;
    else process.env.LIENTHONG_SEARCH_COUNT_LIMIT = saved;
    await gw?.close();
  });

  const matchingReceived = () => [...received.slice(0, 4), ...received.slice(5)].map((d) => d.documentId);
  const matchingSent = () => [sent[0]!, sent[2]!, sent[3]!].map((d) => d.documentId);

  async function walk(f: Record<string, unknown>, countLimit: number, reader = {}): Promise<{ pages: SearchResultPage[]; items: SearchItem[] }> {
    const pages: SearchResultPage[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const p = await searchDocuments(gw.db, r.code, { q, limit: 3, ...f, cursor } as never, reader, { countLimit });
      pages.push(p);
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    return { pages, items: pages.flatMap((p) => p.items) };
  }

  it('when more documents match than the limit, then the total is a lower bound, the rows come newest first unranked, and pages of 3 walk every match once', async () => {
    const exact = await searchDocuments(gw.db, r.code, { q, limit: 50 } as never, {}, { countLimit: 0 });
    expect(exact.totalExact).to.equal(true);
    expect(exact.total).to.equal(11);
    const { pages, items } = await walk({}, LIMIT);
    for (const p of pages) {
      expect(p.totalExact).to.equal(false);
      expect(p.total).to.be.greaterThan(LIMIT).and.at.most(11);
    }
    expect(items.map((i) => i.documentId)).to.have.members([...matchingReceived(), ...matchingSent()]);
    expect(items).to.have.length(11);
    expect(items.every((i) => i.rank === null)).to.equal(true);
    const times = items.map((i) => Date.parse(i.at));
    expect(times).to.deep.equal([...times].sort((a, b) => b - a));
    expect(new Set(items.map((i) => i.box))).to.deep.equal(new Set(['in', 'out']));
  });

  it('when the limit is not reached, then the search is exact and ranked as before', async () => {
    const p = await searchDocuments(gw.db, r.code, { q, limit: 50 } as never, {}, { countLimit: 11 });
    expect(p.totalExact).to.equal(true);
    expect(p.total).to.equal(11);
    expect(p.items.every((i) => typeof i.rank === 'number')).to.equal(true);
  });

  it('when the last page and then the previous pages are asked for, then they are the oldest rows and walk back to the first page', async () => {
    const { items } = await walk({}, LIMIT);
    const last = await searchDocuments(gw.db, r.code, { q, limit: 3, page: 'last' } as never, {}, { countLimit: LIMIT });
    expect(last.totalExact).to.equal(false);
    expect(last.items.map((i) => i.documentId)).to.deep.equal(items.slice(-3).map((i) => i.documentId));
    expect(last.nextCursor).to.equal(null);
    const back: SearchItem[] = [...last.items];
    let cursor = last.prevCursor;
    for (let i = 0; cursor && i < 10; i++) {
      const p = await searchDocuments(gw.db, r.code, { q, limit: 3, cursor } as never, {}, { countLimit: LIMIT });
      back.unshift(...p.items);
      cursor = p.prevCursor;
    }
    expect(back.map((i) => i.documentId)).to.deep.equal(items.map((i) => i.documentId));
  });

  it('when filters and boxes narrow a broad search, then each box and filter holds exactly its matches', async () => {
    const inBox = await walk({ box: 'in' }, LIMIT);
    expect(inBox.pages.every((p) => !p.totalExact)).to.equal(true);
    expect(inBox.items.map((i) => i.documentId)).to.have.members(matchingReceived());
    expect(inBox.items).to.have.length(8);
    const outBox = await walk({ box: 'out' }, 2);
    expect(outBox.pages[0]!.totalExact).to.equal(false);
    expect(outBox.items.map((i) => i.documentId)).to.have.members(matchingSent());
    expect(outBox.items).to.have.length(3);
    const reports = await walk({ type: 'BC' }, 2);
    expect(reports.pages[0]!.totalExact).to.equal(false);
    expect(reports.items.map((i) => i.documentId)).to.have.members(received.slice(5).map((d) => d.documentId));
  });

  it('when the reader is restricted to the copies given to them, then a broad search shows only those', async () => {
    const user = await createUser(gw.db, { agencyCode: r.code, username: `cl-${r.code.toLowerCase().replace(/[^a-z0-9]/g, '')}`, role: 'clerk', password: 'Mat-khau-rat-dai-2026!' });
    await gw.db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, handler_user_id) VALUES ($1, $2, 'assigned', $3)`, [received[6]!.dispatchId, r.code, user.id]);
    const mine = await walk({ box: 'in' }, 2, { givenTo: { userId: user.id, departmentId: null } });
    expect(mine.pages[0]!.totalExact).to.equal(false);
    expect(mine.items.map((i) => i.documentId)).to.deep.equal([received[6]!.documentId]);
  });

  it('when the words are rare in one list (the walk reads its budget without filling the page), then that list is read through the index, with the same rows in the same order', async () => {
    // Twelve newer documents without the words on both sides: a walk budget of 5 runs out in each list.
    const [, , t] = (await createAgencies(gw.db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    await seedDelivered(gw.db, r.code, t.code, Array.from({ length: 12 }, (_, i) => ({ subject: `Giấy mời họp lần ${i + 1}` })), 100);
    await seedDelivered(gw.db, t.code, r.code, Array.from({ length: 12 }, (_, i) => ({ subject: `Thông báo lịch trực lần ${i + 1}` })), 200);
    const exact = await searchDocuments(gw.db, r.code, { q, limit: 50 } as never, {}, { countLimit: 0, rankWindow: 0 });
    const byTime = [...exact.items].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.documentId < b.documentId ? 1 : -1));
    for (const limit of [2, 50]) {
      const pages: SearchResultPage[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const p = await searchDocuments(gw.db, r.code, { q, limit, cursor } as never, {}, { countLimit: LIMIT, walkBudget: 5 });
        pages.push(p);
        if (!p.nextCursor) break;
        cursor = p.nextCursor;
      }
      expect(pages[0]!.totalExact).to.equal(false);
      expect(pages.flatMap((p) => p.items).map((i) => i.documentId)).to.deep.equal(byTime.map((i) => i.documentId));
    }
    for (const box of ['in', 'out'] as const) {
      const p = await searchDocuments(gw.db, r.code, { q, limit: 50, box } as never, {}, { countLimit: 1, walkBudget: 5 });
      expect(p.items.map((i) => i.documentId)).to.have.members(box === 'in' ? matchingReceived() : matchingSent());
    }
  });

  it('when a cursor made while the search was ranked is used once it is broad, then the walk starts over instead of failing', async () => {
    const ranked = await searchDocuments(gw.db, r.code, { q, limit: 3 } as never, {}, { countLimit: 0 });
    expect(ranked.items[0]!.rank).to.be.a('number');
    const p = await searchDocuments(gw.db, r.code, { q, limit: 3, cursor: ranked.nextCursor } as never, {}, { countLimit: LIMIT });
    const first = await searchDocuments(gw.db, r.code, { q, limit: 3 } as never, {}, { countLimit: LIMIT });
    expect(p.items.map((i) => i.documentId)).to.deep.equal(first.items.map((i) => i.documentId));
  });

  it('when an export runs over a broad search, then every match is exported and the total is the rows found', async () => {
    process.env.LIENTHONG_SEARCH_COUNT_LIMIT = String(LIMIT);
    const { rows, total } = await searchAll(gw.db, r.code, { q } as never);
    expect(rows).to.have.length(11);
    expect(total).to.equal(11);
  });

  it('over the API: the default limit comes from LIENTHONG_SEARCH_COUNT_LIMIT, count=exact counts every match, anything else is 400', async () => {
    process.env.LIENTHONG_SEARCH_COUNT_LIMIT = String(LIMIT);
    const broad = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent(q)}&limit=5`, r.apiKey);
    expect(broad.status).to.equal(200);
    expect(broad.body.totalExact).to.equal(false);
    expect(broad.body.items.every((i: SearchItem) => i.rank === null)).to.equal(true);
    const exact = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent(q)}&limit=5&count=exact`, r.apiKey);
    expect(exact.status).to.equal(200);
    expect(exact.body.totalExact).to.equal(true);
    expect(exact.body.total).to.equal(11);
    const narrow = await getJson(gw.baseUrl, `/v1/search?q=${encodeURIComponent('phong chay')}`, r.apiKey);
    expect(narrow.body.totalExact).to.equal(true);
    expect(narrow.body.total).to.equal(1);
    const bad = await getJson(gw.baseUrl, `/v1/search?q=x&count=all`, r.apiKey);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
  });
});
