import { expect } from 'chai';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { recordStatus } from '../../services/domain/dispatches/record-status';
import { assignUnits } from '../../services/domain/handling/incoming-flow';
import { sendDigest } from '../../services/domain/notifications/daily-digest';
import { remindDeadlines } from '../../services/domain/notifications/deadline-reminders';
import { addDays, vnDay } from '../../services/stats/periods';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { createAgencyPeople, pdfText, type AgencyPeople } from '../support/agency-people.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../support/http.fixture';
import { makePdf, metadataFor } from '../support/pdf.fixture';
import { mailText, startSmtpInbox } from '../support/smtp-inbox';
import { waitFor } from '../support/wait';
import { spawnWorker, type WorkerProcess } from '../support/worker.fixture';
import { createWebUser } from '../integration/web/web-client';
import { DESKTOP, launchChromium, screenshot, signInAs } from './browser.fixture';

/**
 * Issue 20, shown in a browser: a clerk of one agency sends a Hỏa tốc document; at the other, the
 * văn thư registers and submits it, the leader assigns chủ trì/phối hợp with a deadline, the head
 * of the unit in charge gives it to a specialist, who records a note with a file and completes it.
 * The sender's page follows every status live; the notifications reach the right people.
 */
describe('web journey: an incoming Hỏa tốc document handled the Decree 30 way by five people', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let browser: Browser;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  const contexts: BrowserContext[] = [];
  let dispatchUrl = '';

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code, { emails: true });
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

  async function open(login: { username: string; password: string }): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' });
    contexts.push(context);
    const page = await context.newPage();
    await signInAs(page, gw.baseUrl, login);
    return page;
  }
  // Locator waits (the pages' CSP forbids evaluating strings): the live toast, the live status pill.
  const toast = (page: Page, text: string) => page.locator('#notification-toast .toast-item', { hasText: text }).first().waitFor({ timeout: 20_000 });
  // Generous: a composed document is rendered by the convert stage before it is signed and delivered.
  const senderSees = (page: Page, label: string) => page.locator('[data-dispatch-status]', { hasText: new RegExp(`^${label}$`) }).first().waitFor({ timeout: 90_000 });

  it('runs the whole flow: sent, registered, submitted, assigned, given to a specialist, processed with a note and a file, completed; the sender follows it live', async () => {
    const senderClerk = await createWebUser(gw.db, sender.code, 'clerk');
    const out = await open(senderClerk);
    const leader = await open(people.leader);
    await leader.goto(`${gw.baseUrl}/leader`);

    await out.goto(`${gw.baseUrl}/send`);
    await out.getByLabel('Ký hiệu').fill('UBND-VP');
    await out.getByLabel('Trích yếu nội dung').fill('Về việc ứng phó khẩn cấp với mưa lũ');
    await out.getByLabel('Độ khẩn').selectOption('flash');
    await out.getByLabel('Chức vụ người ký').fill('CHỦ TỊCH');
    await out.getByLabel('Họ tên người ký').fill('Nguyễn Văn An');
    await out.locator(`input[value="${recipient.code}"]`).check();
    await out.getByLabel('Soạn trên hệ thống').check();
    await out.getByLabel('Nội dung văn bản').fill('Yêu cầu các đơn vị triển khai ngay phương án ứng phó mưa lũ.');
    await Promise.all([out.waitForURL(/\/outbox\/[0-9a-f-]{36}/), out.getByRole('button', { name: 'Gửi văn bản' }).click()]);
    await senderSees(out, 'Đã đến');

    // Hỏa tốc reaches the leader at once, before the văn thư has even registered it.
    await toast(leader, 'Văn bản khẩn đến');
    await screenshot(leader, '20-01-leader-urgent-notice');

    const clerk = await open(people.clerk);
    await clerk.goto(`${gw.baseUrl}/inbox`);
    const row = clerk.locator('tr', { hasText: 'ứng phó khẩn cấp' });
    expect(await row.locator('.pill.urgent').textContent()).to.equal('Hỏa tốc');
    await Promise.all([clerk.waitForURL(/\/inbox\/[0-9a-f-]{36}$/), row.getByRole('link').click()]);
    dispatchUrl = clerk.url();
    await Promise.all([clerk.waitForURL(/done=03/), clerk.getByRole('button', { name: 'Tiếp nhận, vào sổ văn bản đến' }).click()]);
    await senderSees(out, 'Tiếp nhận');
    // The clerk has no assignment form, and a forged one is refused.
    expect(await clerk.locator(`form[action$="/assign"]`).count()).to.equal(0);
    const csrf = (await clerk.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    const forged = await clerk.request.post(`${dispatchUrl}/assign`, { form: { _csrf: csrf, lead: 'dept:x' }, maxRedirects: 0 });
    expect(forged.status()).to.equal(403);
    await Promise.all([clerk.waitForURL(/done=submit/), clerk.getByRole('button', { name: 'Trình lãnh đạo' }).click()]);
    await screenshot(clerk, '20-02-clerk-registered-submitted');
    await toast(leader, 'Văn bản trình xin ý kiến');

    const [tonghop, nghiepvu] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const head = await open(tonghop.head);
    const deadline = addDays(vnDay(new Date()), 10);
    await leader.goto(dispatchUrl);
    await leader.getByLabel('Chủ trì').selectOption(`dept:${tonghop.id}`);
    await leader.getByLabel(nghiepvu.name).check();
    await leader.getByLabel('Hạn xử lý', { exact: true }).fill(deadline);
    await leader.getByLabel('Ý kiến chỉ đạo').fill('Giao Phòng Tổng hợp chủ trì, báo cáo kết quả');
    await screenshot(leader, '20-03-leader-assigning');
    await Promise.all([leader.waitForURL(/done=assign/), leader.getByRole('button', { name: 'Phân công', exact: true }).click()]);
    expect(await leader.locator('#lead').textContent()).to.equal(tonghop.name);
    expect(await leader.locator('#support').textContent()).to.equal(nghiepvu.name);
    await senderSees(out, 'Phân công');
    await toast(head, 'Được giao chủ trì');

    const specialist = await open(tonghop.specialist);
    await head.goto(dispatchUrl);
    await head.getByLabel('Chuyên viên').selectOption(tonghop.specialist.id);
    await Promise.all([head.waitForURL(/done=assign_person/), head.getByRole('button', { name: 'Giao xử lý' }).click()]);
    await toast(specialist, 'Được giao xử lý');
    await screenshot(specialist, '20-04-specialist-notified');

    await specialist.goto(dispatchUrl);
    await specialist.getByLabel('Nội dung', { exact: true }).fill('Đã làm việc với các xã vùng trũng');
    await specialist.getByLabel('Tệp kèm theo').setInputFiles({ name: 'bien-ban.txt', mimeType: 'text/plain', buffer: Buffer.from('Bien ban lam viec') });
    await Promise.all([specialist.waitForURL(/done=note/), specialist.getByRole('button', { name: 'Ghi nhận' }).click()]);
    await senderSees(out, 'Đang xử lý');
    expect(await specialist.locator('.steps').textContent()).to.contain('bien-ban.txt');
    await specialist.getByLabel('Kết quả xử lý (bắt buộc)').fill('Đã triển khai phương án, không có thiệt hại');
    await Promise.all([specialist.waitForURL(/done=complete/), specialist.getByRole('button', { name: 'Hoàn thành xử lý' }).click()]);
    await screenshot(specialist, '20-05-specialist-completed');
    await senderSees(out, 'Hoàn thành');
    await out.reload();
    const timeline = await out.locator('.timeline').textContent();
    expect(timeline).to.contain('Chủ trì: Phòng Tổng hợp').and.contain('Đã triển khai phương án');
    await screenshot(out, '20-06-sender-timeline-live');

    // The phiếu giải quyết prints.
    const phieu = await specialist.request.get(`${dispatchUrl}/phieu-giai-quyet.pdf`);
    expect(phieu.status()).to.equal(200);
    const text = pdfText(Buffer.from(await phieu.body()));
    expect(text).to.contain('PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN').and.contain('Giao Phòng Tổng hợp chủ trì').and.contain('Đã triển khai phương án');

    // Notifications went to the right people only.
    await leader.goto(`${gw.baseUrl}/leader`);
    expect(await leader.locator('#unit-figures').textContent()).to.contain(tonghop.name);
    await screenshot(leader, '20-07-leader-dashboard');
    await leader.goto(`${gw.baseUrl}/notifications`);
    await screenshot(leader, '20-08-leader-notifications');
    const kinds = async (id: string) => (await gw.db.query(`SELECT kind FROM notifications WHERE user_id = $1 ORDER BY id`, [id])).rows.map((r) => r.kind);
    expect(await kinds(people.leader.id)).to.deep.equal(['new_document', 'submitted']);
    expect(await kinds(people.clerk.id)).to.deep.equal(['new_document']);
    expect(await kinds(tonghop.head.id)).to.deep.equal(['assigned']);
    expect(await kinds(nghiepvu.head.id)).to.deep.equal(['assigned']);
    expect(await kinds(tonghop.specialist.id)).to.deep.equal(['assigned']);
    expect(await kinds(nghiepvu.specialist.id)).to.deep.equal([]);
  });

  it('when another document passes its deadline, then the overdue reminder is e-mailed and read from the test SMTP server', async () => {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { subject: 'Về việc báo cáo tình hình thiệt hại' }), await makePdf(1)));
    const dispatchId = await waitFor('delivery', async () => (await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [posted.body.id])).rows[0]?.id as string | undefined, { timeoutMs: 90_000 });
    await recordStatus(gw.db, { actingAgency: recipient.code, dispatchId, code: '03', actor: 'test' });
    const leader = (await gw.db.query(`SELECT id, username, full_name AS "fullName", role, agency_code AS "agencyCode", department_id AS "departmentId" FROM users WHERE id = $1`, [people.leader.id])).rows[0];
    const yesterday = addDays(vnDay(new Date()), -1);
    await assignUnits(gw.db, leader, dispatchId, { leadDepartmentId: people.departments[1]!.id, supportDepartmentIds: [], deadlineOn: yesterday });
    await gw.db.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1`, [people.departments[1]!.head.id]);
    expect(await remindDeadlines(gw.db)).to.be.greaterThan(0);
    const inbox = await startSmtpInbox();
    const transport = nodemailer.createTransport(inbox.url);
    try {
      await sendDigest(gw.db, transport, { from: 'Liên Thông <no-reply@lienthong.test>', publicUrl: gw.baseUrl });
      const email = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.departments[1]!.head.id])).rows[0].email;
      const mail = inbox.mails.find((m) => m.to.includes(email));
      expect(mail, 'a mail to the head of the unit in charge').to.not.equal(undefined);
      const body = mailText(mail!.raw);
      expect(body).to.contain('Quá hạn xử lý').and.contain('báo cáo tình hình thiệt hại').and.contain(`${gw.baseUrl}/inbox/${dispatchId}`);
    } finally {
      transport.close();
      await inbox.close();
    }
    const head = await open(people.departments[1]!.head);
    await head.goto(`${gw.baseUrl}/inbox`);
    expect(await head.locator('tr', { hasText: 'thiệt hại' }).locator('.pill.late').count()).to.equal(1);
    await screenshot(head, '20-09-head-inbox-overdue');
  });
});
