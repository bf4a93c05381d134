import { expect } from 'chai';
import type { Browser, BrowserContext } from 'playwright-core';
import { upsertGroup } from '../../services/domain/agencies/agency.repository';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../support/http.fixture';
import { uniqueTag } from '../support/test-env';
import { waitFor } from '../support/wait';
import { spawnWorker, type WorkerProcess } from '../support/worker.fixture';
import { createWebUser } from '../integration/web/web-client';
import { DESKTOP, launchChromium, PHONE, screenshot, signInAs } from './browser.fixture';

describe('web journey: a department sends a document to the districts, a district handles it, the monitor watches', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let browser: Browser;
  let sender: TestAgency;
  let districts: TestAgency[];
  let groupId: string;
  const contexts: BrowserContext[] = [];
  let documentId = '';

  before(async () => {
    gw = await startGateway();
    [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
    groupId = `districts-${uniqueTag(6).toLowerCase()}`;
    districts = await createAgencies(gw.db, 3, { group: groupId });
    await upsertGroup(gw.db, groupId, 'UBND các huyện, thị xã, thành phố');
    worker = spawnWorker();
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await worker?.stop();
    await gw?.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(worker.output().slice(-3000));
  });

  async function open(viewport = DESKTOP) {
    const context = await browser.newContext({ viewport, locale: 'vi-VN' });
    contexts.push(context);
    return context.newPage();
  }

  it('when the clerk composes and sends to the districts group, then every district gets it and the clerk sees statuses update', async () => {
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const page = await open();
    await page.goto(`${gw.baseUrl}/`);
    await screenshot(page, '01-sign-in-desktop');
    await signInAs(page, gw.baseUrl, clerk);
    await page.goto(`${gw.baseUrl}/send`);
    // A first try with nothing filled shows the errors next to the fields, in Vietnamese.
    await page.getByRole('button', { name: 'Gửi văn bản' }).click();
    await page.waitForSelector('.field-error');
    expect(await page.locator('#err-notation').textContent()).to.contain('ký hiệu');
    await screenshot(page, '02-send-errors-desktop');

    await page.getByLabel('Ký hiệu').fill('CV-SNV');
    await page.getByLabel('Trích yếu nội dung').fill('Về việc triển khai gửi, nhận văn bản điện tử liên thông');
    await page.getByLabel('Chức vụ người ký').fill('GIÁM ĐỐC');
    await page.getByLabel('Họ tên người ký').fill('Nguyễn Văn An');
    await page.locator(`input[value="group:${groupId}"]`).check();
    await page.getByLabel('Soạn trên hệ thống').check();
    await page.getByLabel('Nội dung văn bản').fill(
      'Thực hiện Chỉ thị của Ủy ban nhân dân tỉnh, Sở đề nghị các đơn vị:\n1. Gửi, nhận văn bản qua hệ thống Liên Thông.\n2. Báo cáo kết quả trước ngày 15 hằng tháng.\nĐề nghị các đơn vị thực hiện nghiêm túc.',
    );
    await screenshot(page, '03-send-filled-desktop');
    await Promise.all([page.waitForURL(/\/outbox\/[0-9a-f-]{36}/), page.getByRole('button', { name: 'Gửi văn bản' }).click()]);
    documentId = /\/outbox\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    // The number is issued by the intake, before anything is rendered: the notice names it at once.
    const number = (await gw.db.query(`SELECT number FROM documents WHERE id = $1`, [documentId])).rows[0].number as string;
    expect(await page.locator('p.notice.ok').textContent()).to.contain(`Đã nhận văn bản số ${number}/CV-SNV`);
    // The convert stage renders it, the sign stage signs it: the page shows the signed PDF when it
    // exists, without a reload (the live refresh on the document's status events).
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-live-pdf] [data-pdf-role="signed"] iframe') !== null,
      null,
      { timeout: 90_000 },
    );
    expect(await page.locator('[data-live-pdf] iframe').getAttribute('src')).to.equal(`/documents/${documentId}/files/signed`);
    const signed = await page.request.get(`${gw.baseUrl}/documents/${documentId}/files/signed`);
    expect(signed.headers()['content-type']).to.equal('application/pdf');

    await waitFor('delivery to the three districts', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [documentId]);
      return r.rows[0].n === 3;
    }, { timeoutMs: 90_000 });
    await page.reload();
    expect(await page.locator('.timeline').count()).to.equal(3);
    expect(await page.locator('[data-dispatch-status]').allTextContents()).to.deep.equal(['Đã đến', 'Đã đến', 'Đã đến']);
    await screenshot(page, '04-outbox-detail-desktop');
  });

  it('when a district clerk registers and completes it, then the số đến shows and the sender sees Hoàn thành without reloading', async () => {
    const senderPage = (await browser.contexts()[0]!.pages())[0]!;
    const district = districts[0]!;
    const clerk = await createWebUser(gw.db, district.code, 'clerk');
    const page = await open();
    await signInAs(page, gw.baseUrl, clerk);
    expect(page.url()).to.match(/\/inbox$/);
    const row = page.locator('tr', { hasText: 'triển khai gửi, nhận văn bản' });
    expect(await row.count()).to.equal(1);
    await screenshot(page, '05-inbox-desktop');
    await Promise.all([page.waitForURL(/\/inbox\/[0-9a-f-]{36}$/), row.getByRole('link').click()]);
    const frame = page.locator('iframe');
    expect(await frame.getAttribute('src')).to.equal(`/documents/${documentId}/files/signed`);
    const pdf = await page.request.get(`${gw.baseUrl}/documents/${documentId}/files/signed`);
    expect(pdf.status()).to.equal(200);
    expect(pdf.headers()['content-type']).to.equal('application/pdf');

    await Promise.all([page.waitForURL(/done=03/), page.getByRole('button', { name: 'Tiếp nhận, vào sổ văn bản đến' }).click()]);
    expect(await page.locator('p.notice.ok').textContent()).to.match(/số đến \d+/);
    expect(await page.locator('#incoming-number').textContent()).to.match(/\d+/);
    await screenshot(page, '06-incoming-registered-desktop');

    // Decree 30: after registration the people of the agency handle it; here the leader completes it.
    const leader = await createWebUser(gw.db, district.code, 'leader');
    const leaderPage = await open();
    await signInAs(leaderPage, gw.baseUrl, leader);
    await leaderPage.goto(page.url().replace(/\?.*$/, ''));
    await senderPage.bringToFront();
    await leaderPage.getByLabel('Kết quả xử lý (bắt buộc)').fill('Đã triển khai');
    await Promise.all([leaderPage.waitForURL(/done=complete/), leaderPage.getByRole('button', { name: 'Hoàn thành xử lý' }).click()]);
    expect(await leaderPage.locator('[data-dispatch-status]').first().textContent()).to.equal('Hoàn thành');
    // The sender's page was left open: the server-sent event updates it in place.
    // A page function, not a string: the page's CSP refuses 'unsafe-eval'.
    await senderPage.waitForFunction(
      () => Array.from((globalThis as any).document.querySelectorAll('[data-dispatch-status]') as ArrayLike<{ textContent: string | null }>).some((e) => e.textContent === 'Hoàn thành'),
      null,
      { timeout: 15_000 },
    );
    await screenshot(senderPage, '07-outbox-completed-live-desktop');
    await senderPage.goto(`${gw.baseUrl}/outbox`);
    expect(await senderPage.locator('tr', { hasText: 'triển khai gửi' }).textContent()).to.contain('Hoàn thành: 1');
    await screenshot(senderPage, '08-outbox-list-desktop');

    const phone = await open(PHONE);
    await signInAs(phone, gw.baseUrl, clerk);
    await screenshot(phone, '09-inbox-phone');
    await phone.goto(`${gw.baseUrl}/send`);
    await screenshot(phone, '10-send-phone');
  });

  it('when the monitor signs in, then the province rate is shown against the 60% line, with agencies in a sortable table', async () => {
    const monitor = await createWebUser(gw.db, sender.code, 'monitor');
    const page = await open();
    await signInAs(page, gw.baseUrl, monitor);
    expect(page.url()).to.match(/\/monitor$/);
    expect(await page.locator('h1').textContent()).to.contain('Tỷ lệ văn bản điện tử');
    expect(await page.locator('svg.chart line.target').count()).to.equal(1);
    expect(await page.locator('svg.chart .target-label').textContent()).to.contain('60');
    await screenshot(page, '11-monitor-desktop');
    // Monitors read figures, never documents.
    const doc = await page.request.get(`${gw.baseUrl}/outbox/${documentId}`, { maxRedirects: 0 });
    expect(doc.status()).to.equal(403);
    const phone = await open(PHONE);
    await signInAs(phone, gw.baseUrl, monitor);
    await screenshot(phone, '12-monitor-phone');
  });

  it('when the administrator opens the admin page, then users, keys, failed dispatches and certificates are listed', async () => {
    const admin = await createWebUser(gw.db, sender.code, 'admin');
    const page = await open();
    await signInAs(page, gw.baseUrl, admin);
    await page.getByLabel('Cơ quan', { exact: true }).nth(1).selectOption(sender.code);
    await page.getByRole('button', { name: 'Tạo khóa' }).click();
    const key = await page.locator('#new-key').textContent();
    expect(key).to.match(/^lt_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, '13-admin-desktop');
  });
});
