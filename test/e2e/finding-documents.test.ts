import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { upsertAgency } from '../../services/domain/agencies/agency.repository';
import { DEMO_AGENCIES } from '../../infra/seed/demo-directory';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../support/http.fixture';
import { seedDelivered } from '../support/seed-documents';
import { createWebUser } from '../integration/web/web-client';
import { DESKTOP, launchChromium, screenshot, signInAs } from './browser.fixture';

describe('web: a clerk finds and keeps track of documents (paging, search without diacritics, saved searches, registers, exports)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let office: TestAgency;
  let province: TestAgency;
  let home: TestAgency;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-e2e-find-'));

  before(async () => {
    gw = await startGateway();
    [office, province, home] = (await createAgencies(gw.db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    await gw.db.query(`UPDATE agencies SET name = $2 WHERE code = $1`, [office.code, `Văn phòng thử ${office.code}`]);
    await gw.db.query(`UPDATE agencies SET name = $2 WHERE code = $1`, [province.code, `Ủy ban nhân dân tỉnh thử ${province.code}`]);
    await gw.db.query(`UPDATE agencies SET name = $2 WHERE code = $1`, [home.code, `Sở Nội vụ thử ${home.code}`]);
    // 250 documents in one inbox: one about administrative reform, the rest routine.
    await seedDelivered(gw.db, province.code, office.code, [
      { subject: 'Về tiếp tục đẩy mạnh cải cách hành chính, nâng cao hiệu lực quản lý', documentType: 'CT', notation: 'CT-UBND' },
      ...Array.from({ length: 246 }, (_, i) => ({ subject: `Về việc triển khai công tác thường xuyên đợt ${i + 1}` })),
    ]);
    await seedDelivered(gw.db, home.code, office.code, Array.from({ length: 3 }, (_, i) => ({ subject: `Hướng dẫn tuyển dụng công chức lần ${i + 1}`, documentType: 'HD' })), 500);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN', acceptDownloads: true });
    page = await context.newPage();
    await signInAs(page, gw.baseUrl, await createWebUser(gw.db, office.code, 'clerk'));
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await gw?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('when the inbox holds 250 documents, then it pages to the end with the true count, in the page size chosen', async () => {
    await page.goto(`${gw.baseUrl}/inbox`);
    await page.selectOption('#limit', '100');
    await page.waitForURL(/limit=100/);
    expect(await page.locator('.pager .count').first().textContent()).to.match(/Hiển thị 100 \/ 250 văn bản/);
    expect(await page.locator('table.documents tbody tr').count()).to.equal(100);
    // Nobody has opened them yet: unread rows are bold.
    expect(await page.locator('table.documents tbody tr.is-unread').count()).to.equal(100);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      for (const href of await page.locator('table.documents tbody tr td:nth-child(5) a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) seen.add(href!);
      if (i < 2) await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Trang sau ›' }).first().click()]);
    }
    expect(seen.size).to.equal(250);
    expect(await page.locator('table.documents tbody tr').count()).to.equal(50);
    expect(await page.getByRole('link', { name: 'Trang sau ›' }).count()).to.equal(0);
    await Promise.all([page.waitForURL(/page=last|cursor=/), page.getByRole('link', { name: '« Trang đầu' }).first().click()]);
    await Promise.all([page.waitForURL(/page=last/), page.getByRole('link', { name: 'Trang cuối »' }).first().click()]);
    expect(await page.locator('table.documents tbody tr').count()).to.equal(100);
    expect(await page.locator('table.documents tbody tr').last().textContent()).to.contain('đợt 246');
    await screenshot(page, '19-inbox-last-page');
  });

  it('when the clerk searches "cai cach" and "noi vu" without diacritics, then the documents with diacritics are found', async () => {
    await page.goto(`${gw.baseUrl}/search`);
    await page.getByLabel('Tìm kiếm (số, ký hiệu, trích yếu, nội dung…)').fill('cai cach');
    await Promise.all([page.waitForURL(/q=cai/), page.getByRole('button', { name: 'Lọc' }).click()]);
    expect(await page.locator('.pager .count').first().textContent()).to.match(/Hiển thị 1 \/ 1 văn bản/);
    expect(await page.locator('table.documents tbody').textContent()).to.contain('cải cách hành chính');
    await page.getByLabel('Tìm kiếm (số, ký hiệu, trích yếu, nội dung…)').fill('noi vu');
    await Promise.all([page.waitForURL(/q=noi/), page.getByRole('button', { name: 'Lọc' }).click()]);
    expect(await page.locator('.pager .count').first().textContent()).to.match(/Hiển thị 3 \/ 3 văn bản/);
    expect(await page.locator('table.documents tbody').textContent()).to.contain('Sở Nội vụ thử');
    // The sender filter takes the abbreviation.
    await page.goto(`${gw.baseUrl}/inbox?sender=UBND`);
    expect(await page.locator('.pager .count').first().textContent()).to.match(/\/ 247 văn bản/);
  });

  it('when a search matches more than the count limit, then the page says "ít nhất", lists newest first, and the exact count is one click away', async () => {
    const saved = process.env.LIENTHONG_SEARCH_COUNT_LIMIT;
    process.env.LIENTHONG_SEARCH_COUNT_LIMIT = '100';
    try {
      await page.goto(`${gw.baseUrl}/search?q=${encodeURIComponent('trien khai')}`);
      const count = page.locator('.pager .count').first();
      expect(await count.textContent()).to.match(/Hiển thị 50 \/ ít nhất \d+ văn bản, mới nhất trước/);
      // Newest first: the seeded copies were delivered one minute apart, "đợt 1" the newest.
      expect(await page.locator('table.documents tbody tr').first().textContent()).to.contain('đợt 1');
      await Promise.all([page.waitForURL(/count=exact/), count.getByRole('link', { name: 'Đếm chính xác và xếp theo mức phù hợp' }).click()]);
      expect(await page.locator('.pager .count').first().textContent()).to.match(/Hiển thị 50 \/ 246 văn bản/);
      await screenshot(page, '19-broad-search-exact');
    } finally {
      if (saved === undefined) delete process.env.LIENTHONG_SEARCH_COUNT_LIMIT;
      else process.env.LIENTHONG_SEARCH_COUNT_LIMIT = saved;
    }
  });

  it('when the clerk saves a search, then it is reused from the menu', async () => {
    await page.goto(`${gw.baseUrl}/search?q=${encodeURIComponent('cai cach')}`);
    await page.getByLabel('Lưu tìm kiếm này với tên').fill('Cải cách hành chính');
    await Promise.all([page.waitForURL(/\/search\?q=/), page.getByRole('button', { name: 'Lưu tìm kiếm' }).click()]);
    await page.goto(`${gw.baseUrl}/inbox`);
    await page.locator('.saved-menu summary').click();
    await Promise.all([page.waitForURL(/\/search\?q=cai/), page.locator('.saved-menu').getByRole('link', { name: 'Cải cách hành chính' }).click()]);
    expect(await page.locator('table.documents tbody tr').count()).to.equal(1);
    expect(await page.locator('table.documents tbody').textContent()).to.contain('cải cách hành chính');
  });

  it('when the clerk registers the document in a chosen book with a corrected date and prints the register, then the PDF reads back as the Appendix IV register', async () => {
    await page.goto(`${gw.baseUrl}/registers?kind=incoming`);
    await page.locator('details:has(#book-name) summary').click();
    await page.getByLabel('Tên sổ').fill('Sổ văn bản đến của Đảng');
    await Promise.all([page.waitForURL(/\/registers\?kind=incoming&book=/), page.getByRole('button', { name: 'Mở sổ' }).click()]);
    await page.goto(`${gw.baseUrl}/search?q=${encodeURIComponent('cải cách')}`);
    await Promise.all([page.waitForURL(/\/inbox\/[0-9a-f-]{36}/), page.locator('table.documents tbody a').first().click()]);
    await page.selectOption('#register-book', { label: 'Sổ văn bản đến của Đảng' });
    const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
    // A copy is registered on or after the day it arrived: this one arrived on 1 January (Vietnam time).
    const dispatchId = /\/inbox\/([0-9a-f-]{36})/.exec(page.url())![1];
    await gw.db.query(`UPDATE dispatches SET delivered_at = $2::timestamptz WHERE id = $1`, [dispatchId, `${year}-01-01T08:00:00+07:00`]);
    await page.fill('#registered-on', `${year}-01-02`);
    await Promise.all([page.waitForURL(/done=03/), page.getByRole('button', { name: 'Tiếp nhận, vào sổ văn bản đến' }).click()]);
    expect(await page.locator('#incoming-number').textContent()).to.contain('01');
    expect(await page.locator('#registered-on-day').textContent()).to.equal(`02/01/${year}`);
    await page.locator('.registration summary').click();
    await page.fill('#correct-date', `${year}-01-03`);
    await Promise.all([page.waitForURL(/dateCorrected=1/), page.getByRole('button', { name: 'Lưu ngày vào sổ' }).click()]);
    expect(await page.locator('#registered-on-day').textContent()).to.equal(`03/01/${year}`);
    expect(await page.locator('#h-access + table').textContent()).to.contain('Mở xem');

    await page.goto(`${gw.baseUrl}/registers?kind=incoming`);
    await page.selectOption('#book', { label: 'Sổ văn bản đến của Đảng' });
    await Promise.all([page.waitForURL(/book=/), page.getByRole('button', { name: 'Xem sổ' }).click()]);
    expect(await page.locator('table.register tbody tr').count()).to.equal(1);
    const printHref = await page.getByRole('link', { name: 'In sổ (PDF)' }).getAttribute('href');
    const pdf = await page.request.get(`${gw.baseUrl}${printHref}`);
    expect(pdf.status()).to.equal(200);
    expect(pdf.headers()['content-type']).to.contain('application/pdf');
    const file = path.join(tmp, 'register.pdf');
    fs.writeFileSync(file, await pdf.body());
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).to.contain('SỔ ĐĂNG KÝ VĂN BẢN ĐẾN');
    expect(text).to.contain('Sổ văn bản đến của Đảng');
    expect(text).to.contain(`Năm: ${year}`);
    expect(text).to.contain('Số đến');
    expect(text).to.contain('Tên loại và trích yếu nội dung');
    expect(text).to.contain('cải cách hành chính');
    expect(text).to.contain(`03/01/${year}`);
    expect(text).to.match(/In bởi .+ lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  });

  it('when the clerk exports the inbox, then the .xlsx reads back with every document and Vietnamese headings, and the CSV starts with a BOM', async () => {
    await page.goto(`${gw.baseUrl}/inbox?limit=20`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Excel (.xlsx)' }).first().click()]);
    const file = path.join(tmp, 'inbox.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(2).getCell(2).value).to.equal('Số, ký hiệu');
    expect(ws.getRow(2).getCell(5).value).to.equal('Trích yếu');
    expect(ws.rowCount).to.equal(2 + 250);
    const subjects = new Set<unknown>();
    ws.eachRow((row, n) => {
      if (n > 2) subjects.add(row.getCell(5).value);
    });
    expect(subjects.has('Về tiếp tục đẩy mạnh cải cách hành chính, nâng cao hiệu lực quản lý')).to.equal(true);
    const csv = await page.request.get(`${gw.baseUrl}/inbox/export.csv?q=${encodeURIComponent('tuyển dụng')}`);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').trim().split('\r\n')).to.have.length(1 + 3);
  });

  it('when the clerk picks recipients, then "noi vu" finds Sở Nội vụ and the demo agencies are in Vietnamese order', async () => {
    for (const a of DEMO_AGENCIES) await upsertAgency(gw.db, { code: a.code, name: a.name, channel: a.channel });
    await page.goto(`${gw.baseUrl}/send`);
    const names = await page.locator('.agency-list label.check').evaluateAll((ls) => ls.map((l) => ({ code: l.querySelector('input')!.getAttribute('value'), name: l.textContent!.replace('giấy', '').trim() })));
    const demoCodes = new Set(DEMO_AGENCIES.map((a) => a.code));
    const demo = names.filter((n) => demoCodes.has(n.code!)).map((n) => n.name);
    expect(demo).to.have.length(DEMO_AGENCIES.length);
    expect(demo).to.deep.equal([...demo].sort(new Intl.Collator('vi-VN').compare));
    expect(demo.indexOf('Sở Kế hoạch và Đầu tư')).to.be.below(demo.indexOf('Sở Khoa học và Công nghệ'));
    expect(demo.indexOf('Đài Phát thanh và Truyền hình tỉnh Đắk Lắk')).to.be.above(demo.indexOf('Ban Dân tộc tỉnh'));
    expect(demo.indexOf('Ủy ban nhân dân tỉnh Đắk Lắk')).to.be.above(demo.indexOf('UBND thị xã Buôn Hồ'));
    await page.locator('#recipient-search').fill('noi vu');
    const visible = await page.locator('.agency-list label.check:visible').allTextContents();
    expect(visible.map((t) => t.trim())).to.include('Sở Nội vụ');
    expect(visible.every((t) => /Nội vụ/.test(t))).to.equal(true);
  });
});
