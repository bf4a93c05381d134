import { expect } from 'chai';
import { userCommand } from '../../../services/cli/commands/user.command';
import { CliUsageError, type CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { upsertAgency } from '../../../services/domain/agencies/agency.repository';
import { createDepartment, updateDepartment } from '../../../services/domain/users/department.repository';
import { testEnv, uniqueTag } from '../../support/test-env';

describe('operator CLI: user add --role unit_head|specialist needs --department', function () {
  this.timeout(60_000);
  let db: Db;
  let printed: any[];
  let ctx: CliContext;
  const tag = uniqueTag();
  const agency = `${tag}.1`;
  const other = `${tag}.2`;
  let dept: string;
  let otherDept: string;
  let disabledDept: string;

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    await upsertAgency(db, { code: agency, name: `Sở thử ${tag}` } as never);
    await upsertAgency(db, { code: other, name: `Sở khác ${tag}` } as never);
    dept = (await createDepartment(db, { agencyCode: agency, name: 'Phòng Tổ chức cán bộ' })).id;
    otherDept = (await createDepartment(db, { agencyCode: other, name: 'Phòng Kế hoạch' })).id;
    disabledDept = (await createDepartment(db, { agencyCode: agency, name: 'Phòng cũ' })).id;
    await updateDepartment(db, disabledDept, { name: 'Phòng cũ', kind: 'phong', disabled: true });
    process.env.LT_TEST_USER_PASSWORD = 'mat-khau-du-dai-123!';
  });
  beforeEach(() => {
    printed = [];
    ctx = { db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
  });
  after(async () => {
    delete process.env.LT_TEST_USER_PASSWORD;
    await db.end();
  });

  const add = (username: string, role: string, extra: string[] = []) =>
    userCommand(['add', '--agency', agency, '--username', username, '--role', role, '--password-env', 'LT_TEST_USER_PASSWORD', ...extra], ctx);

  async function usageError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
    try {
      await p;
    } catch (err) {
      expect(err).to.be.instanceOf(CliUsageError);
      expect((err as Error).message).to.match(pattern);
      return;
    }
    expect.fail('expected a usage error');
  }

  it('when a unit head is added with --department given by name, then the user is created in that department', async () => {
    await add(`truongphong.${tag.toLowerCase()}`, 'unit_head', ['--department', 'Phòng Tổ chức cán bộ']);
    expect(printed[0]).to.include({ role: 'unit_head', departmentId: dept });
    const r = await db.query(`SELECT department_id::text AS d FROM users WHERE username = $1`, [`truongphong.${tag.toLowerCase()}`]);
    expect(r.rows[0].d).to.equal(dept);
  });

  it('when a specialist is added with --department given by id, then the user is created in that department', async () => {
    await add(`chuyenvien.${tag.toLowerCase()}`, 'specialist', ['--department', dept]);
    expect(printed[0]).to.include({ role: 'specialist', departmentId: dept });
  });

  it('when unit_head or specialist comes without --department, then it is a usage error naming the option and the departments', async () => {
    await usageError(add(`x1.${tag.toLowerCase()}`, 'unit_head'), /--department is required for --role unit_head.*Phòng Tổ chức cán bộ/);
    await usageError(add(`x2.${tag.toLowerCase()}`, 'specialist'), /--department is required for --role specialist/);
  });

  it('when the department is another agency\'s, unknown or disabled, then it is refused', async () => {
    await usageError(add(`x3.${tag.toLowerCase()}`, 'specialist', ['--department', otherDept]), /no department/);
    await usageError(add(`x4.${tag.toLowerCase()}`, 'specialist', ['--department', 'Phòng không có']), /no department Phòng không có/);
    await usageError(add(`x5.${tag.toLowerCase()}`, 'specialist', ['--department', disabledDept]), /disabled/);
    const r = await db.query(`SELECT count(*)::int AS n FROM users WHERE username LIKE $1`, [`x_.${tag.toLowerCase()}`]);
    expect(r.rows[0].n).to.equal(0);
  });

  it('when a clerk is added without --department, then it works as before', async () => {
    await add(`vanthu.${tag.toLowerCase()}`, 'clerk');
    expect(printed[0]).to.include({ role: 'clerk', departmentId: null });
  });
});
