import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered, type SeedDoc } from '../../support/seed-documents';

/**
 * Paging a ranked search while matching documents arrive: the rank window is the newest W matches
 * when page 1 was read, carried in the cursors, so walking every page yields each row that existed
 * at page 1 exactly once (by position alone, each arrival pushed the window's oldest row out of
 * the ranked part and the next page listed it again).
 */
describe('GET /v1/search ranked pages while matches arrive: no row twice, none of page 1\'s rows missing', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  const saved = process.env.LIENTHONG_SEARCH_RANK_WINDOW;
  let seq = 0;

  // Relevance not in time order: the documents at `relevant` (0 = the newest of the batch) have the
  // words in their subject (weight A), the others in the file text only (weight D).
  const docs = (n: number, relevant: number[] = []): SeedDoc[] =>
    Array.from({ length: n }, (_, k) => {
      const i = ++seq;
      return relevant.includes(k) ? { subject: `Kế hoạch thủy lợi nội đồng đợt ${i}` } : { subject: `Báo cáo chung số ${i}`, content: `Phụ lục: công trình thủy lợi số ${i}` };
    });

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    // The most relevant are the window's oldest rows (4th and 5th newest): page 1 lists them first,
    // and the first arrivals push them out of a window counted by position.
    await seedDelivered(gw.db, sender.code, recipient.code, docs(14, [3, 4, 10]));
    await new Promise((r) => setTimeout(r, 20));
  });

  after(async () => {
    if (saved === undefined) delete process.env.LIENTHONG_SEARCH_RANK_WINDOW;
    else process.env.LIENTHONG_SEARCH_RANK_WINDOW = saved;
    await gw?.close();
  });

  for (const dir of ['next', 'prev'] as const) {
    it(`when two matching documents arrive before each ${dir === 'next' ? 'next' : 'previous'} page, then the walk lists each document that existed at its first page exactly once`, async () => {
      process.env.LIENTHONG_SEARCH_RANK_WINDOW = '5';
      const existing = new Set((await gw.db.query(`SELECT document_id FROM dispatches WHERE recipient_code = $1`, [recipient.code])).rows.map((r) => r.document_id as string));
      const seen: string[] = [];
      let r = await getJson(gw.baseUrl, `/v1/search?q=thuy+loi&limit=3${dir === 'prev' ? '&page=last' : ''}`, recipient.apiKey);
      for (let i = 0; i < 30; i++) {
        expect(r.status).to.equal(200);
        seen.push(...(r.body.items as { documentId: string }[]).map((x) => x.documentId));
        const cursor = dir === 'next' ? r.body.nextCursor : r.body.prevCursor;
        if (!cursor) break;
        await seedDelivered(gw.db, sender.code, recipient.code, docs(2), 100 + seq);
        r = await getJson(gw.baseUrl, `/v1/search?q=thuy+loi&limit=3&cursor=${encodeURIComponent(cursor)}`, recipient.apiKey);
      }
      const dupes = seen.filter((id, i) => seen.indexOf(id) !== i);
      expect(dupes, 'rows listed twice').to.deep.equal([]);
      expect([...existing].filter((id) => !seen.includes(id)), 'rows of page 1 never listed').to.deep.equal([]);
    });
  }

  it('when a cursor carries a forged window bound, then 400 VALIDATION_FAILED', async () => {
    process.env.LIENTHONG_SEARCH_RANK_WINDOW = '5';
    const first = await getJson(gw.baseUrl, '/v1/search?q=thuy+loi&limit=3', recipient.apiKey);
    const c = JSON.parse(Buffer.from(first.body.nextCursor, 'base64url').toString('utf8')) as { d: string; k: string[]; w: string[] };
    expect(c.w).to.have.length(2);
    for (const w of [['2026-13-01 00:00:00+00', c.w[1]], [c.w[0], 'not-a-uuid'], [c.w[0]], 'x']) {
      const forged = Buffer.from(JSON.stringify({ ...c, w })).toString('base64url');
      const r = await getJson(gw.baseUrl, `/v1/search?q=thuy+loi&limit=3&cursor=${forged}`, recipient.apiKey);
      expect(r.status, JSON.stringify(w)).to.equal(400);
      expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    }
  });
});
