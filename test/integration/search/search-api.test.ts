import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';

describe('GET /v1/search and paged lists: diacritic-free, abbreviations, ranked, scoped, honest totals', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let stranger: TestAgency;

  before(async () => {
    gw = await startGateway();
    [sender, recipient, stranger] = (await createAgencies(gw.db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    await gw.db.query(`UPDATE agencies SET name = 'Ủy ban nhân dân tỉnh Đắk Lắk ' || code WHERE code = $1`, [sender.code]);
    await gw.db.query(`UPDATE agencies SET name = 'Sở Nội vụ ' || code WHERE code = $1`, [recipient.code]);
    await seedDelivered(gw.db, sender.code, recipient.code, [
      { subject: 'Về tiếp tục đẩy mạnh cải cách hành chính', documentType: 'CT', notation: 'CT-UBND' },
      { subject: 'Kế hoạch đào tạo cán bộ năm 2027', documentType: 'KH', content: 'Nội dung: tập huấn về chuyển đổi số cho đội ngũ công chức' },
      { subject: 'Quyết định thành lập tổ công tác', documentType: 'QĐ', notation: 'QĐ-UBND', urgency: 'urgent' },
      { subject: 'Báo cáo tình hình đường giao thông', documentType: 'BC' },
      ...Array.from({ length: 116 }, (_, i) => ({ subject: `Công văn thường lệ số ${i + 1}` })),
    ]);
  });

  after(async () => {
    await gw?.close();
  });

  async function search(key: string, query: string) {
    return getJson(gw.baseUrl, `/v1/search?${query}`, key);
  }

  it('when the clerk types without diacritics, then the document with diacritics is found first', async () => {
    const r = await search(recipient.apiKey, `q=${encodeURIComponent('cai cach')}`);
    expect(r.status).to.equal(200);
    expect(r.body.total).to.equal(1);
    expect(r.body.items[0].subject).to.equal('Về tiếp tục đẩy mạnh cải cách hành chính');
    expect(r.body.items[0].box).to.equal('in');
    expect(r.body.items[0].rank).to.be.greaterThan(0);
  });

  it('when the words are in the file text only, or use đ as d, then they are found', async () => {
    expect((await search(recipient.apiKey, `q=${encodeURIComponent('chuyen doi so')}`)).body.items.map((i: { subject: string }) => i.subject)).to.deep.equal(['Kế hoạch đào tạo cán bộ năm 2027']);
    expect((await search(recipient.apiKey, `q=${encodeURIComponent('duong giao thong')}`)).body.total).to.equal(1);
  });

  it('when an abbreviation is typed, then the full words match, and the sender filter takes "UBND"', async () => {
    const byType = await search(recipient.apiKey, `q=${encodeURIComponent('quyết định thành lập')}`);
    expect(byType.body.total).to.equal(1);
    const qd = await search(recipient.apiKey, `q=QD&type=${encodeURIComponent('QĐ')}`);
    expect(qd.body.items.map((i: { notation: string }) => i.notation)).to.deep.equal(['QĐ-UBND']);
    const bySender = await search(recipient.apiKey, `sender=UBND&q=${encodeURIComponent('thuong le')}&limit=5`);
    expect(bySender.body.total).to.equal(116);
    const byName = await search(sender.apiKey, `box=out&q=${encodeURIComponent('noi vu')}&limit=200`);
    expect(byName.body.total).to.equal(120); // every sent document names Sở Nội vụ as its recipient
  });

  it('when filters narrow the search, then only matching rows count', async () => {
    const urgent = await search(recipient.apiKey, 'urgency=urgent');
    expect(urgent.body.total).to.equal(1);
    expect(urgent.body.items[0].urgency).to.equal('urgent');
  });

  it('when the sender filters its sent matches by status or revocation, then the document\'s current status counts (it lives on documents, not on the search row)', async () => {
    const q = `box=out&q=${encodeURIComponent('thuong le')}`;
    expect((await search(sender.apiKey, `${q}&status=routed`)).body.total).to.equal(116);
    const one = await gw.db.query<{ id: string }>(`SELECT id FROM documents WHERE sender_code = $1 AND subject = 'Công văn thường lệ số 7'`, [sender.code]);
    await gw.db.query(`UPDATE documents SET status = 'revoked', revoked_at = now(), revoke_reason = 'thử' WHERE id = $1`, [one.rows[0]!.id]);
    try {
      const only = await search(sender.apiKey, `${q}&revoked=only`);
      expect(only.body.items.map((i: { documentId: string }) => i.documentId)).to.deep.equal([one.rows[0]!.id]);
      expect((await search(sender.apiKey, `${q}&revoked=exclude`)).body.total).to.equal(115);
      expect((await search(sender.apiKey, `${q}&status=routed`)).body.total).to.equal(115);
    } finally {
      await gw.db.query(`UPDATE documents SET status = 'routed', revoked_at = NULL, revoke_reason = NULL WHERE id = $1`, [one.rows[0]!.id]);
    }
  });

  it('when the words typed hold nothing searchable, or only filters are given, then the answer is still a page', async () => {
    for (const q of ['q=--', 'q=%20', 'box=in', 'overdue=1&revoked=only']) {
      const r = await search(recipient.apiKey, q);
      expect(r.status, q).to.equal(200);
      expect(r.body.total, q).to.be.a('number');
    }
  });

  it('when another agency searches, then it sees none of these documents', async () => {
    const r = await search(stranger.apiKey, `q=${encodeURIComponent('cải cách')}`);
    expect(r.body.total).to.equal(0);
    expect(r.body.items).to.deep.equal([]);
  });

  it('when the inbox has 120 copies, then pages of 50 walk to the end with the total, and back', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: any } = await getJson(gw.baseUrl, `/v1/inbox?limit=50${cursor ? `&cursor=${cursor}` : ''}`, recipient.apiKey);
      expect(r.status).to.equal(200);
      expect(r.body.total).to.equal(120);
      for (const i of r.body.items) seen.add(i.dispatchId);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).to.equal(3);
    expect(seen.size).to.equal(120);
    const last = await getJson(gw.baseUrl, '/v1/inbox?limit=50&page=last', recipient.apiKey);
    expect(last.body.items).to.have.length(50);
    expect(last.body.nextCursor).to.equal(null);
    const before = await getJson(gw.baseUrl, `/v1/inbox?limit=50&cursor=${last.body.prevCursor}`, recipient.apiKey);
    expect(before.body.items).to.have.length(50);
    expect(new Date(before.body.items[49].deliveredAt) >= new Date(last.body.items[0].deliveredAt)).to.equal(true);
    expect(before.body.items.map((i: { dispatchId: string }) => i.dispatchId)).to.not.include(last.body.items[0].dispatchId);
  });

  it('when the cursor is malformed, then the answer is 400 VALIDATION_FAILED, for the inbox and the search', async () => {
    for (const path of ['/v1/inbox?cursor=bm90LWEtY3Vyc29y', '/v1/search?cursor=%7B%7D', '/v1/outbox?cursor=eyJkIjoiYSIsImsiOlsxXX0']) {
      const r = await getJson(gw.baseUrl, path, recipient.apiKey);
      expect(r.status, path).to.equal(400);
      expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    }
  });

  it('when a date filter names a day that does not exist (month 13, year 0000, 30 February), then 400 VALIDATION_FAILED, not a database error', async () => {
    // Found by make drill's query-parameter fuzz: PostgreSQL refused these days with a 500.
    for (const path of ['/v1/search?issuedTo=2026-13-01', '/v1/search?issuedFrom=0000-01-01', '/v1/search?from=2026-02-30', '/v1/search?to=2026-00-10']) {
      const r = await getJson(gw.baseUrl, path, recipient.apiKey);
      expect(r.status, path).to.equal(400);
      expect(r.body.error.code, path).to.equal('VALIDATION_FAILED');
    }
    const ok = await getJson(gw.baseUrl, '/v1/search?issuedFrom=2024-02-29&issuedTo=2026-12-31', recipient.apiKey);
    expect(ok.status).to.equal(200);
  });
});
