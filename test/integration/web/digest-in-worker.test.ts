import { expect } from 'chai';
import { notifyUsers } from '../../../services/domain/notifications/notify';
import { vnDay } from '../../../services/stats/periods';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { mailText, startSmtpInbox } from '../../support/smtp-inbox';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

describe('the daily digest is sent by the running worker process on its schedule (a real SMTP server in-process)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let inbox: Awaited<ReturnType<typeof startSmtpInbox>> | undefined;

  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await worker?.stop();
    await inbox?.close();
    await gw?.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-3000));
  });

  it('when a worker starts with LIENTHONG_SMTP_URL and a digest hour already past, then its scheduler mails each person their unread notifications once and records the day', async () => {
    const [agency] = (await createAgencies(gw.db, 1)) as [TestAgency];
    const people = await createAgencyPeople(gw.db, agency.code, { emails: true });
    const leaderMail = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.leader.id])).rows[0].email as string;
    const clerkMail = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.clerk.id])).rows[0].email as string;
    await notifyUsers(gw.db, [people.leader.id], { kind: 'overdue', title: 'Văn bản 12/UBND-VP quá hạn xử lý (hạn 06/03/2026)', link: '/inbox/00000000-0000-4000-8000-000000000001', urgent: true });
    await notifyUsers(gw.db, [people.clerk.id], { kind: 'delivery_failing', title: 'Văn bản 13/UBND-VP chưa gửi được tới Sở Y tế', link: '/outbox' });
    await notifyUsers(gw.db, [people.departments[0]!.head.id], { kind: 'assigned', title: 'Đã đọc rồi' });
    await gw.db.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1`, [people.departments[0]!.head.id]);
    // The day is the scheduler's to claim (another suite's direct digest call does not claim it).
    const today = vnDay(new Date());
    await gw.db.query(`DELETE FROM digest_runs WHERE day = $1`, [today]);

    inbox = await startSmtpInbox();
    // Vietnam hour 0: the day's digest is due at the scheduler's first run (10 s after the worker starts).
    worker = spawnWorker({ LIENTHONG_SMTP_URL: inbox.url, LIENTHONG_DIGEST_HOUR: '0', LIENTHONG_MAIL_FROM: 'Liên Thông <digest@lienthong.test>', LIENTHONG_PUBLIC_URL: 'https://lienthong.test', LOG_LEVEL: 'info' });
    const mails = inbox.mails;
    await waitFor('the digest mails of the leader and the clerk', async () => (mails.some((m) => m.to.includes(leaderMail)) && mails.some((m) => m.to.includes(clerkMail)) ? true : undefined), { timeoutMs: 120_000, recheckMs: 250 });

    const leader = mails.filter((m) => m.to.includes(leaderMail));
    expect(leader, 'one mail for the leader').to.have.length(1);
    expect(leader[0]!.raw).to.match(/^From: .*<digest@lienthong\.test>/m);
    const text = mailText(leader[0]!.raw);
    expect(text).to.contain('[KHẨN] Văn bản 12/UBND-VP quá hạn xử lý (hạn 06/03/2026)');
    expect(text).to.contain('https://lienthong.test/inbox/00000000-0000-4000-8000-000000000001');
    expect(mailText(mails.find((m) => m.to.includes(clerkMail))!.raw)).to.contain('Văn bản 13/UBND-VP chưa gửi được tới Sở Y tế');
    const headMail = (await gw.db.query(`SELECT email FROM users WHERE id = $1`, [people.departments[0]!.head.id])).rows[0].email as string;
    expect(mails.some((m) => m.to.includes(headMail)), 'a read notification is not mailed').to.equal(false);

    const run = await waitFor('the day recorded with its count', async () => (await gw.db.query(`SELECT mails FROM digest_runs WHERE day = $1 AND mails > 0`, [today])).rows[0] as { mails: number } | undefined, { timeoutMs: 30_000 });
    expect(run.mails).to.be.at.least(2);
    const mailed = (await gw.db.query(`SELECT count(*)::int AS n FROM notifications WHERE user_id = ANY($1::uuid[]) AND emailed_at IS NOT NULL`, [[people.leader.id, people.clerk.id]])).rows[0].n;
    expect(mailed, 'each mailed notification is marked, so it is not mailed again').to.equal(2);
    // The line is written after the day is recorded: wait for it.
    await waitFor('the worker\'s "daily digest sent" line', async () => worker!.output().includes('daily digest sent'), { recheckMs: 100 });
  });
});
