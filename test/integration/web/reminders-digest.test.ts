import { expect } from 'chai';
import nodemailer from 'nodemailer';
import { sendDigest } from '../../../services/domain/notifications/daily-digest';
import { remindDeadlines } from '../../../services/domain/notifications/deadline-reminders';
import { notifyAgencyRole } from '../../../services/domain/notifications/notify';
import { assignUnits } from '../../../services/domain/handling/incoming-flow';
import { recordStatus } from '../../../services/domain/dispatches/record-status';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople } from '../../support/agency-people.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { mailText, startSmtpInbox } from '../../support/smtp-inbox';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';

const vn = (local: string) => new Date(`${local}+07:00`);

describe('deadline reminders and the daily e-mail digest (a real SMTP server in-process)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  const dispatches: string[] = [];

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code, { emails: true });
    const worker = spawnWorker();
    try {
      for (const subject of ['Văn bản giao hạn ngày mai', 'Văn bản đã quá hạn', 'Văn bản chưa vào sổ']) {
        const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { subject }), await makePdf(1)));
        const id = await waitFor('delivery', async () => (await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [posted.body.id])).rows[0]?.id as string | undefined, { timeoutMs: 90_000 });
        dispatches.push(id);
      }
    } finally {
      await worker.stop();
    }
    const leader = (await gw.db.query(`SELECT id, username, full_name AS "fullName", role, agency_code AS "agencyCode", department_id AS "departmentId" FROM users WHERE id = $1`, [people.leader.id])).rows[0];
    const unit = people.departments[0]!;
    // Two registered and assigned to the first unit: one due Monday 9 March 2026, one due Friday 6 March.
    for (const [i, deadlineOn] of [[0, '2026-03-09'], [1, '2026-03-06']] as const) {
      await recordStatus(gw.db, { actingAgency: recipient.code, dispatchId: dispatches[i]!, code: '03', actor: 'test' });
      await assignUnits(gw.db, leader, dispatches[i]!, { leadDepartmentId: unit.id, supportDepartmentIds: [], deadlineOn });
    }
    // All three arrived on Tuesday 3 March 2026.
    await gw.db.query(`UPDATE dispatches SET delivered_at = $2 WHERE id = ANY($1::uuid[])`, [dispatches, vn('2026-03-03T09:00:00')]);
    await gw.db.query(`UPDATE dispatch_events SET at = $2 WHERE dispatch_id = ANY($1::uuid[]) AND code = '03'`, [dispatches, vn('2026-03-03T10:00:00')]);
    await gw.db.query(`DELETE FROM notifications WHERE user_id = ANY($1::uuid[])`, [[people.clerk.id, people.leader.id, unit.head.id, unit.specialist.id]]);
  });
  after(async () => gw?.close());

  it('when the reminders run on Saturday 7 March, then the unit head and leader hear "due" for Monday and "overdue" for Friday, the clerk hears "not registered"; a second run adds nothing', async () => {
    const now = vn('2026-03-07T08:00:00');
    const added = await remindDeadlines(gw.db, now);
    expect(added).to.be.greaterThan(0);
    const rows = (await gw.db.query(`SELECT user_id AS "userId", kind, title FROM notifications WHERE dispatch_id = ANY($1::uuid[]) ORDER BY id`, [dispatches])).rows;
    const of = (userId: string) => rows.filter((r) => r.userId === userId).map((r) => `${r.kind}:${r.title.split(':')[0]}`).sort();
    const head = people.departments[0]!.head.id;
    expect(of(head)).to.deep.equal(['due_tomorrow:Sắp đến hạn xử lý (09/03/2026)', 'overdue:Quá hạn xử lý (hạn 06/03/2026)']);
    expect(of(people.leader.id)).to.deep.equal(['due_tomorrow:Sắp đến hạn xử lý (09/03/2026)', 'overdue:Quá hạn xử lý (hạn 06/03/2026)']);
    expect(of(people.clerk.id)).to.deep.equal(['overdue:Quá hạn tiếp nhận, vào sổ']);
    expect(of(people.departments[1]!.head.id)).to.deep.equal([]);
    expect(await remindDeadlines(gw.db, now)).to.equal(0);
  });

  it('when the digest runs, then each person with an address gets one mail listing their unread notifications, read from the SMTP server, and nothing is mailed twice', async () => {
    await notifyAgencyRole(gw.db, recipient.code, ['clerk'], { kind: 'delivery_failing', title: 'Gửi tới Sở Y tế đang lỗi', link: '/admin#failed' });
    const inbox = await startSmtpInbox();
    const transport = nodemailer.createTransport(inbox.url);
    try {
      const sent = await sendDigest(gw.db, transport, { from: 'Liên Thông <no-reply@lienthong.test>', publicUrl: 'http://lienthong.test' });
      expect(sent).to.equal(3);
      expect(inbox.mails).to.have.length(3);
      const headMail = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.departments[0]!.head.id])).rows[0].email;
      const mail = inbox.mails.find((m) => m.to.includes(headMail))!;
      const text = mailText(mail.raw);
      expect(text).to.contain('Quá hạn xử lý (hạn 06/03/2026)');
      expect(text).to.contain('Văn bản đã quá hạn');
      expect(text).to.contain('http://lienthong.test/inbox/');
      const clerkMail = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.clerk.id])).rows[0].email;
      expect(mailText(inbox.mails.find((m) => m.to.includes(clerkMail))!.raw)).to.contain('Gửi tới Sở Y tế đang lỗi');
      expect(await sendDigest(gw.db, transport, { from: 'x@lienthong.test', publicUrl: 'http://lienthong.test' })).to.equal(0);
      expect(inbox.mails).to.have.length(3);
    } finally {
      transport.close();
      await inbox.close();
    }
  });
});
