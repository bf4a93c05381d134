import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDepartment } from '../../services/domain/users/department.repository';
import { createAgencies, type TestAgency } from '../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople } from '../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../support/http.fixture';
import { uniqueTag } from '../support/test-env';
import { createWebUser } from '../integration/web/web-client';
import { DESKTOP, launchChromium, screenshot, signInAs } from './browser.fixture';

/** Issue 20 in the browser: the administrator puts people into departments when adding and editing them. */
describe('web: the admin adds and edits a user with a department, and wrong departments are refused', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agency: TestAgency;
  let other: TestAgency;
  let people: AgencyPeople;
  let foreignDept: string;

  const userRow = async (username: string) =>
    (await gw.db.query(`SELECT id, role, department_id AS "departmentId", full_name AS "fullName" FROM users WHERE username = $1`, [username])).rows[0] as
      | { id: string; role: string; departmentId: string | null; fullName: string | null }
      | undefined;

  async function addUser(f: { username: string; role: string; department: string; agency?: string }): Promise<void> {
    await page.goto(`${gw.baseUrl}/admin#users`);
    await page.locator('summary', { hasText: 'Thêm người dùng' }).click();
    await page.locator('#u-agency').selectOption(f.agency ?? agency.code);
    await page.locator('#u-username').fill(f.username);
    await page.locator('#u-name').fill('Lê Văn Tâm');
    await page.locator('#u-role').selectOption(f.role);
    await page.locator('#u-dept').selectOption(f.department);
    await page.locator('#u-password').fill('mat-khau-du-dai-1');
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: 'Thêm', exact: true }).click()]);
  }

  before(async () => {
    gw = await startGateway();
    [agency, other] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, agency.code);
    foreignDept = (await createDepartment(gw.db, { agencyCode: other.code, name: `Phòng của cơ quan khác ${uniqueTag(4)}` })).id;
    const admin = await createWebUser(gw.db, agency.code, 'admin');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' });
    page = await context.newPage();
    await signInAs(page, gw.baseUrl, admin);
  });
  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await gw?.close();
  });

  it('when the admin adds a specialist choosing a department, then the user is created in it and listed with it', async () => {
    const username = `cv.${uniqueTag(6).toLowerCase()}`;
    const dept = people.departments[1]!;
    const options = await page.goto(`${gw.baseUrl}/admin`).then(() => page.locator(`#u-dept option[value="${dept.id}"]`).count());
    expect(options, 'the department is offered in the form').to.equal(1);
    await addUser({ username, role: 'specialist', department: dept.id });
    await page.locator('p.notice', { hasText: 'Đã thêm người dùng.' }).waitFor();
    const row = await userRow(username);
    expect(row).to.include({ role: 'specialist', departmentId: dept.id, fullName: 'Lê Văn Tâm' });
    const listed = page.locator('#users tr', { hasText: username });
    expect(await listed.locator('td[data-label="Phòng"]').textContent()).to.equal(dept.name);
    await screenshot(page, 'admin-user-department-added');
  });

  it('when a unit head is added without a department, or with another agency\'s department, then the form says why and nobody is created', async () => {
    const noDept = `ldp.${uniqueTag(6).toLowerCase()}`;
    await addUser({ username: noDept, role: 'unit_head', department: '' });
    await page.locator('p.notice', { hasText: 'Lãnh đạo phòng và chuyên viên phải thuộc một phòng, đơn vị' }).waitFor();
    expect(await userRow(noDept)).to.equal(undefined);
    const foreign = `cv.${uniqueTag(6).toLowerCase()}`;
    await addUser({ username: foreign, role: 'specialist', department: foreignDept });
    await page.locator('p.notice', { hasText: 'Phòng, đơn vị không thuộc cơ quan của người dùng.' }).waitFor();
    expect(await userRow(foreign)).to.equal(undefined);
    await screenshot(page, 'admin-user-department-refused');
  });

  it('when the admin edits a user\'s department and role, then it is saved; clearing the department of a specialist is refused', async () => {
    const s = people.departments[0]!.specialist;
    const target = people.departments[1]!;
    await page.goto(`${gw.baseUrl}/admin/users/${s.id}`);
    expect(await page.locator('#e-dept').inputValue(), 'the current department is selected').to.equal(people.departments[0]!.id);
    await page.locator('#e-dept').selectOption(target.id);
    await page.locator('#e-role').selectOption('unit_head');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Lưu', exact: true }).click()]);
    await page.locator('p.notice', { hasText: 'Đã lưu.' }).waitFor();
    expect(await userRow(s.username)).to.include({ role: 'unit_head', departmentId: target.id });
    expect(await page.locator('#e-dept').inputValue()).to.equal(target.id);

    await page.locator('#e-dept').selectOption('');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Lưu', exact: true }).click()]);
    await page.locator('p.notice', { hasText: 'Lãnh đạo phòng và chuyên viên phải thuộc một phòng, đơn vị' }).waitFor();
    expect(await userRow(s.username), 'unchanged').to.include({ role: 'unit_head', departmentId: target.id });
  });
});
