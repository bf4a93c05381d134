import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { createWebUser, WebClient } from './web-client';

describe('people and units: admin pages, disabling, passwords', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let agency: TestAgency;
  let people: AgencyPeople;
  let admin: WebClient;

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    people = await createAgencyPeople(gw.db, agency.code);
    const login = await createWebUser(gw.db, agency.code, 'admin');
    admin = new WebClient(gw.baseUrl);
    expect((await admin.signIn(login.username, login.password)).status).to.equal(303);
  });
  after(async () => gw?.close());

  it('when the admin adds a department and edits a user into it as its head, then the admin page and the database show it', async () => {
    const added = await admin.post('/admin/departments', { agency: agency.code, name: 'Phòng Pháp chế', kind: 'phong' }, { fromPage: '/admin' });
    expect(added.status).to.equal(303);
    const dept = (await gw.db.query(`SELECT id FROM departments WHERE agency_code = $1 AND name = 'Phòng Pháp chế'`, [agency.code])).rows[0];
    expect(dept).to.not.equal(undefined);
    const dup = await admin.post('/admin/departments', { agency: agency.code, name: 'phòng pháp chế' }, { fromPage: '/admin' });
    expect(dup.status).to.equal(409);
    const s = people.departments[0]!.specialist;
    const edited = await admin.post(`/admin/users/${s.id}`, { fullName: 'Nguyễn Thị Hoa', role: 'unit_head', department: dept.id, email: 'hoa@example.test' }, { fromPage: `/admin/users/${s.id}` });
    expect(edited.status).to.equal(303);
    const row = (await gw.db.query(`SELECT role, department_id, full_name, email FROM users WHERE id = $1`, [s.id])).rows[0];
    expect(row).to.deep.equal({ role: 'unit_head', department_id: dept.id, full_name: 'Nguyễn Thị Hoa', email: 'hoa@example.test' });
    const page = await admin.get('/admin');
    expect(page.text).to.contain('Phòng Pháp chế').and.contain('Lãnh đạo phòng');
    // A department of another agency is refused.
    const [other] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    await admin.post('/admin/departments', { agency: other.code, name: 'Phòng khác' }, { fromPage: '/admin' });
    const foreign = (await gw.db.query(`SELECT id FROM departments WHERE agency_code = $1`, [other.code])).rows[0].id;
    const refused = await admin.post(`/admin/users/${s.id}`, { role: 'specialist', department: foreign }, { fromPage: `/admin/users/${s.id}` });
    expect(refused.status).to.equal(400);
  });

  it('when a user is disabled, then their open session stops working at once and they cannot sign in; enabled again, they can', async () => {
    const clerk = new WebClient(gw.baseUrl);
    expect((await clerk.signIn(people.clerk.username, people.clerk.password)).status).to.equal(303);
    expect((await clerk.get('/inbox')).status).to.equal(200);
    const disabled = await admin.post(`/admin/users/${people.clerk.id}/disable`, {}, { fromPage: `/admin/users/${people.clerk.id}` });
    expect(disabled.status).to.equal(303);
    const after = await clerk.get('/inbox');
    expect(after.status).to.equal(303);
    expect(after.location).to.match(/^\/\?next=/);
    const again = await new WebClient(gw.baseUrl).signIn(people.clerk.username, people.clerk.password);
    expect(again.status).to.not.equal(303);
    expect(again.text).to.contain('không đúng');
    // Even a session row that somehow survived is refused for a disabled user.
    await admin.post(`/admin/users/${people.clerk.id}/enable`, {}, { fromPage: `/admin/users/${people.clerk.id}` });
    const back = new WebClient(gw.baseUrl);
    expect((await back.signIn(people.clerk.username, people.clerk.password)).status).to.equal(303);
    await gw.db.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [people.clerk.id]);
    expect((await back.get('/inbox')).status).to.equal(303);
    await gw.db.query(`UPDATE users SET disabled_at = NULL WHERE id = $1`, [people.clerk.id]);
  });

  it('when the admin resets a password and a user changes their own, then only the new passwords work', async () => {
    const leader = people.leader;
    const reset = await admin.post(`/admin/users/${leader.id}/password`, { password: 'mat-khau-moi-123' }, { fromPage: `/admin/users/${leader.id}` });
    expect(reset.status).to.equal(303);
    expect((await new WebClient(gw.baseUrl).signIn(leader.username, leader.password)).status).to.not.equal(303);
    const me = new WebClient(gw.baseUrl);
    expect((await me.signIn(leader.username, 'mat-khau-moi-123')).status).to.equal(303);
    const wrong = await me.post('/account/password', { current: 'sai-mat-khau-1', password: 'mat-khau-rieng-456', confirm: 'mat-khau-rieng-456' }, { fromPage: '/account' });
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.contain('Mật khẩu hiện tại không đúng');
    const changed = await me.post('/account/password', { current: 'mat-khau-moi-123', password: 'mat-khau-rieng-456', confirm: 'mat-khau-rieng-456' }, { fromPage: '/account' });
    expect(changed.status).to.equal(303);
    expect((await me.get('/leader')).status).to.equal(200);
    expect((await new WebClient(gw.baseUrl).signIn(leader.username, 'mat-khau-moi-123')).status).to.not.equal(303);
    expect((await new WebClient(gw.baseUrl).signIn(leader.username, 'mat-khau-rieng-456')).status).to.equal(303);
  });

  it('when a non-admin posts to the admin pages, then it is refused with 403', async () => {
    const leader = new WebClient(gw.baseUrl);
    await leader.signIn(people.departments[1]!.head.username, people.departments[1]!.head.password);
    const r = await leader.post(`/admin/users/${people.clerk.id}/disable`, {}, { fromPage: '/inbox' });
    expect(r.status).to.equal(403);
  });
});
