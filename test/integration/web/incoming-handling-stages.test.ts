import { expect } from 'chai';
import { ErrorCode } from '../../../contracts';
import { recordStatus } from '../../../services/domain/dispatches/record-status';
import { DomainError } from '../../../services/domain/errors/domain-error';
import { addNote, assignSpecialist, assignUnits, completeHandling, forwardHandling, returnHandling, type Actor } from '../../../services/domain/handling/incoming-flow';
import { correctRegistrationDate, createBook, todayVn } from '../../../services/domain/registers/register-books';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople, type Person } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { createWebUser, WebClient } from './web-client';

/**
 * The handling steps answer for the stage the copy is in and for who has it: trả lại to the leader
 * ends the unit's hold, a chuyển is the unit head's, dates are real days, chủ trì is a head or a
 * specialist, 05 goes once; registration dates stay on or after arrival and in the book's year.
 */
describe('incoming handling: stages, who has the copy, dates (web and domain)', function () {
  this.timeout(300_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let rec: TestAgency;
  let people: AgencyPeople;
  let n = 0;

  const actor = async (id: string) =>
    (await gw.db.query(`SELECT id, username, full_name AS "fullName", role, agency_code AS "agencyCode", department_id AS "departmentId" FROM users WHERE id = $1`, [id])).rows[0] as Actor;
  const fresh = async () => (await seedDelivered(gw.db, sender.code, rec.code, [{ subject: `Giai đoạn xử lý ${n}` }], (n += 10)))[0]!.dispatchId;
  const register = (id: string, reg?: { bookId?: string; registeredOn?: string }) =>
    recordStatus(gw.db, { actingAgency: rec.code, dispatchId: id, code: '03' as never, actor: 'test', ...(reg ? { register: reg } : {}) });
  const codes = async (id: string) => (await gw.db.query(`SELECT string_agg(code, ',' ORDER BY id) AS c FROM dispatch_events WHERE dispatch_id = $1`, [id])).rows[0].c as string;
  const handling = async (id: string) =>
    (await gw.db.query(`SELECT stage, lead_department_id AS "leadDept", lead_user_id AS "leadUser", handler_user_id AS handler FROM incoming_handling WHERE dispatch_id = $1`, [id])).rows[0];
  const leadRows = async (id: string) => (await gw.db.query(`SELECT count(*)::int AS n FROM incoming_assignees WHERE dispatch_id = $1 AND role = 'lead'`, [id])).rows[0].n as number;
  async function refusal(f: () => Promise<unknown>): Promise<string> {
    try {
      await f();
    } catch (e) {
      if (e instanceof DomainError) return e.code;
      throw e;
    }
    return 'done';
  }
  async function as(p: Person): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    expect((await c.signIn(p.username, p.password)).status, `sign-in of ${p.username}`).to.equal(303);
    return c;
  }

  before(async () => {
    gw = await startGateway();
    [sender, rec] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, rec.code);
  });
  after(async () => gw?.close());

  it('when the head of the unit in charge returns the copy to the leader, then the unit no longer has it: no lead, no actions, giao/hoàn thành/chuyển refused, the leader assigns again', async () => {
    const [d0, d1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const id = await fresh();
    await register(id);
    const leader = await as(people.leader);
    expect((await leader.post(`/inbox/${id}/assign`, { lead: `dept:${d0.id}`, support: [d1.id] }, { fromPage: `/inbox/${id}` })).status).to.equal(303);
    const head = await as(d0.head);
    const back = await head.post(`/inbox/${id}/return`, { reason: 'Không đúng chức năng của phòng' }, { fromPage: `/inbox/${id}` });
    expect(back.status).to.equal(303);
    expect(back.location).to.equal('/inbox?done=return');

    expect(await handling(id)).to.deep.equal({ stage: 'submitted', leadDept: null, leadUser: null, handler: null });
    expect(await leadRows(id)).to.equal(0);
    const steps = (await gw.db.query(`SELECT kind, note FROM incoming_steps WHERE dispatch_id = $1 ORDER BY id`, [id])).rows;
    expect(steps.map((s) => s.kind)).to.deep.equal(['assign', 'return']);
    expect(steps[0].note).to.contain('Chủ trì: Phòng Tổng hợp');

    // The head no longer sees the copy (it was the unit's), nor can act on it.
    const page = await head.get(`/inbox/${id}`);
    expect(page.status).to.equal(404);
    for (const [path, fields] of [
      ['complete', { result: 'Tôi vẫn hoàn thành' }],
      ['assign-person', { userId: d0.specialist.id }],
      ['forward', { departmentId: d1.id, reason: 'chuyển' }],
      ['note', { note: 'ý kiến' }],
    ] as const) {
      expect((await head.post(`/inbox/${id}/${path}`, fields, { fromPage: '/inbox' })).status, path).to.be.oneOf([403, 404, 409]);
    }
    // The domain refuses too, whatever route it is called from: the stage does not allow it.
    const headActor = await actor(d0.head.id);
    expect(await refusal(() => completeHandling(gw.db, headActor, id, 'xong'))).to.equal(ErrorCode.CONFLICT);
    expect(await refusal(() => assignSpecialist(gw.db, headActor, id, d0.specialist.id))).to.equal(ErrorCode.CONFLICT);
    expect(await refusal(() => forwardHandling(gw.db, headActor, id, d1.id, 'chuyển'))).to.equal(ErrorCode.CONFLICT);
    expect(await codes(id)).to.equal('01,03,04');

    // The helping unit still sees it, but no step is offered while it waits for the leader.
    const helper = await as(d1.head);
    const helperPage = await helper.get(`/inbox/${id}`);
    expect(helperPage.status).to.equal(200);
    expect(helperPage.text).to.contain('data-handling-stage="submitted"');
    for (const a of ['note', 'complete', 'return', 'forward', 'assign-person']) expect(helperPage.text, a).not.to.contain(`/inbox/${id}/${a}"`);
    const refused = await helper.post(`/inbox/${id}/note`, { note: 'ý kiến phối hợp' }, { fromPage: `/inbox/${id}` });
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('Văn bản đang chờ lãnh đạo phân công xử lý: không thể ghi ý kiến xử lý.');

    // The leader is offered the assignment again (and, handling it directly as Decree 30 allows,
    // hoàn thành: the leader may complete at any open stage), but no giao chuyên viên or chuyển.
    const leaderPage = await leader.get(`/inbox/${id}`);
    expect(leaderPage.text).to.contain(`/inbox/${id}/assign"`);
    expect(leaderPage.text).to.contain(`/inbox/${id}/complete"`);
    expect(leaderPage.text).not.to.contain(`/inbox/${id}/assign-person"`);
    expect(leaderPage.text).not.to.contain(`/inbox/${id}/forward"`);
    expect((await leader.post(`/inbox/${id}/assign`, { lead: `dept:${d1.id}` }, { fromPage: `/inbox/${id}` })).status).to.equal(303);
    expect(await handling(id)).to.deep.equal({ stage: 'assigned', leadDept: d1.id, leadUser: null, handler: null });
    expect(await leadRows(id)).to.equal(1);
  });

  it('when the person in charge returns the copy to the leader, then they can no longer complete it', async () => {
    const spec = await actor(people.departments[1]!.specialist.id);
    const id = await fresh();
    await register(id);
    await assignUnits(gw.db, await actor(people.leader.id), id, { leadUserId: spec.id, supportDepartmentIds: [] });
    await returnHandling(gw.db, spec, id, 'Không thuộc nhiệm vụ được giao');
    expect(await handling(id)).to.deep.equal({ stage: 'submitted', leadDept: null, leadUser: null, handler: null });
    expect(await leadRows(id)).to.equal(0);
    expect(await refusal(() => completeHandling(gw.db, spec, id, 'xong'))).to.equal(ErrorCode.CONFLICT);
    expect(await refusal(() => returnHandling(gw.db, spec, id, 'lần nữa'))).to.equal(ErrorCode.CONFLICT);
    expect(await codes(id)).to.equal('01,03,04');
  });

  it('when a leader forwards a copy whose chủ trì is a person, then 403 (only the head of the unit in charge forwards), nothing changes', async () => {
    const spec = people.departments[1]!.specialist;
    const id = await fresh();
    await register(id);
    const leader = await as(people.leader);
    expect((await leader.post(`/inbox/${id}/assign`, { lead: `user:${spec.id}` }, { fromPage: `/inbox/${id}` })).status).to.equal(303);
    const r = await leader.post(`/inbox/${id}/forward`, { departmentId: people.departments[0]!.id, reason: 'đổi đơn vị' }, { fromPage: `/inbox/${id}` });
    expect(r.status).to.equal(403);
    expect(await handling(id)).to.deep.equal({ stage: 'in_progress', leadDept: null, leadUser: spec.id, handler: spec.id });
    // Nor does the leader forward a unit-led copy: it assigns again instead.
    await assignUnits(gw.db, await actor(people.leader.id), id, { leadDepartmentId: people.departments[0]!.id, supportDepartmentIds: [] });
    expect(await refusal(async () => forwardHandling(gw.db, await actor(people.leader.id), id, people.departments[1]!.id, 'x'))).to.equal(ErrorCode.FORBIDDEN);
  });

  it('when the deadline is a day that does not exist, then 400 and nothing is assigned', async () => {
    const id = await fresh();
    await register(id);
    const leader = await as(people.leader);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-2-3']) {
      const r = await leader.post(`/inbox/${id}/assign`, { lead: `dept:${people.departments[0]!.id}`, deadlineOn: bad }, { fromPage: `/inbox/${id}` });
      expect(r.status, bad).to.equal(400);
      expect(r.text).to.contain('Hạn xử lý không hợp lệ');
    }
    expect((await handling(id)).stage).to.equal('registered');
    expect(await codes(id)).to.equal('01,03');
  });

  it('when chủ trì is given by hand to a văn thư or an administrator, then 400: only heads and specialists of the agency', async () => {
    const id = await fresh();
    await register(id);
    const leader = await as(people.leader);
    expect((await leader.post(`/inbox/${id}/assign`, { lead: `user:${people.clerk.id}` }, { fromPage: `/inbox/${id}` })).status).to.equal(400);
    const admin = await createWebUser(gw.db, rec.code, 'admin');
    const adminId = (await gw.db.query(`SELECT id FROM users WHERE username = $1`, [admin.username])).rows[0].id as string;
    expect(await refusal(async () => assignUnits(gw.db, await actor(people.leader.id), id, { leadUserId: adminId, supportDepartmentIds: [] }))).to.equal(ErrorCode.VALIDATION_FAILED);
    expect(await refusal(async () => assignUnits(gw.db, await actor(people.leader.id), id, { leadUserId: people.leader.id, supportDepartmentIds: [] }))).to.equal(ErrorCode.VALIDATION_FAILED);
    expect(await handling(id)).to.deep.equal({ stage: 'registered', leadDept: null, leadUser: null, handler: null });
    // A head or a specialist is accepted.
    expect((await leader.post(`/inbox/${id}/assign`, { lead: `user:${people.departments[0]!.head.id}` }, { fromPage: `/inbox/${id}` })).status).to.equal(303);
  });

  it('when the copy is assigned, noted, assigned again and noted again, then the sender gets 05 once: 01,03,04,05,04', async () => {
    const [d0, d1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const leader = await actor(people.leader.id);
    const id = await fresh();
    await register(id);
    await assignUnits(gw.db, leader, id, { leadDepartmentId: d0.id, supportDepartmentIds: [] });
    await addNote(gw.db, await actor(d0.head.id), id, 'ý kiến một');
    await assignUnits(gw.db, leader, id, { leadDepartmentId: d1.id, supportDepartmentIds: [] });
    await addNote(gw.db, await actor(d1.head.id), id, 'ý kiến hai');
    expect(await codes(id)).to.equal('01,03,04,05,04');
  });

  it('when a registration date is before the copy arrived, then 400, at registration and at a correction', async () => {
    const id = await fresh();
    expect(await refusal(() => register(id, { registeredOn: '2001-01-01' }))).to.equal(ErrorCode.VALIDATION_FAILED);
    expect((await gw.db.query(`SELECT status, incoming_number, registered_on FROM dispatches WHERE id = $1`, [id])).rows[0]).to.deep.equal({ status: 'delivered', incoming_number: null, registered_on: null });
    const today = todayVn();
    await register(id, { registeredOn: today });
    // Arrived today: a correction to the first of January of this year is before it.
    const jan1 = `${today.slice(0, 4)}-01-01`;
    if (jan1 < today) expect(await refusal(() => correctRegistrationDate(gw.db, rec.code, id, jan1, 'test'))).to.equal(ErrorCode.VALIDATION_FAILED);
    expect((await gw.db.query(`SELECT registered_on::text AS d FROM dispatches WHERE id = $1`, [id])).rows[0].d).to.equal(today);
  });

  it('when a registration date is corrected into another year, then 409 (the number belongs to its year\'s book), so số đến stays unique per book and year; within the year it is corrected', async () => {
    const book = await createBook(gw.db, rec.code, 'incoming', `Sổ theo năm ${n}`);
    const year = Number(todayVn().slice(0, 4));
    const [x, y] = [await fresh(), await fresh()];
    // Both arrived on 20 December of last year.
    await gw.db.query(`UPDATE dispatches SET delivered_at = $2 WHERE id = ANY($1::uuid[])`, [[x, y], `${year - 1}-12-20T09:00:00+07:00`]);
    expect((await register(x, { bookId: book.id, registeredOn: `${year - 1}-12-30` })).incomingNumber).to.equal('01');
    expect((await register(y, { bookId: book.id, registeredOn: todayVn() })).incomingNumber).to.equal('01');

    const clerk = await as(people.clerk);
    const r = await clerk.post(`/registers/entries/${y}/date`, { registeredOn: `${year - 1}-12-31` }, { fromPage: '/registers' });
    expect(r.status).to.equal(409);
    expect(r.text).to.contain(`số đến 01 là số của sổ năm ${year}`);
    expect(await refusal(() => correctRegistrationDate(gw.db, rec.code, x, `${year}-01-02`, 'test'))).to.equal(ErrorCode.CONFLICT);
    const both = await gw.db.query(`SELECT registered_on::text AS d FROM dispatches WHERE id = ANY($1::uuid[]) ORDER BY registered_on`, [[x, y]]);
    expect(both.rows.map((row) => row.d)).to.deep.equal([`${year - 1}-12-30`, todayVn()]);

    // Within the year, on or after arrival: corrected and audited.
    await correctRegistrationDate(gw.db, rec.code, x, `${year - 1}-12-21`, 'test');
    expect((await gw.db.query(`SELECT registered_on::text AS d FROM dispatches WHERE id = $1`, [x])).rows[0].d).to.equal(`${year - 1}-12-21`);
    const audit = await gw.db.query(`SELECT detail FROM audit_log WHERE action = 'register.date_corrected' AND detail::jsonb->>'dispatchId' = $1`, [x]);
    expect(audit.rowCount).to.equal(1);
    expect(await refusal(() => correctRegistrationDate(gw.db, rec.code, x, `${year - 1}-12-19`, 'test'))).to.equal(ErrorCode.VALIDATION_FAILED);
    expect(await refusal(() => correctRegistrationDate(gw.db, rec.code, x, `${year - 1}-02-30`, 'test'))).to.equal(ErrorCode.VALIDATION_FAILED);
  });
});
