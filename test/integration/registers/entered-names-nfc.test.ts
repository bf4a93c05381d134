import { expect } from 'chai';
import { DomainError } from '../../../services/domain/errors/domain-error';
import { listSavedSearches, saveSearch } from '../../../services/domain/search/saved-search.repository';
import { createDepartment, updateDepartment } from '../../../services/domain/users/department.repository';
import { updateUser } from '../../../services/domain/users/user-admin';
import { createUser } from '../../../services/domain/users/user.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { uniqueTag } from '../../support/test-env';

/**
 * Names people type are stored in Unicode NFC: the same visible name sent decomposed (NFD, as some
 * keyboards and systems send Vietnamese) is the same name for "name exists" (409) and replaces
 * rather than duplicates; what is stored reads the same to every later comparison.
 */
describe('names typed in NFD or NFC are one name: register books, departments, saved searches, display names', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let agency: TestAgency;
  const nfd = (s: string) => s.normalize('NFD');

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
  });
  after(async () => {
    await gw?.close();
  });

  async function openBook(name: string) {
    const r = await fetch(`${gw.baseUrl}/v1/registers/books`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'incoming', name }),
    });
    return { status: r.status, body: (await r.json()) as any };
  }

  it('when a register book name exists and the same name is sent decomposed (or composed after a decomposed one), then 409, and the name is stored NFC', async () => {
    for (const [first, second] of [['Sổ công văn mật', nfd('Sổ công văn mật')], [nfd('Sổ đơn thư khiếu nại'), 'Sổ  đơn thư khiếu nại ']]) {
      const a = await openBook(first!);
      expect(a.status).to.equal(201);
      expect(a.body.name).to.equal(first!.normalize('NFC').replace(/\s+/g, ' ').trim());
      const b = await openBook(second!);
      expect(b.status, JSON.stringify(second)).to.equal(409);
    }
    const rows = (await gw.db.query(`SELECT name FROM register_books WHERE agency_code = $1`, [agency.code])).rows.map((r) => r.name as string);
    expect(rows.every((n) => n === n.normalize('NFC'))).to.equal(true);
  });

  it('when a department is added or renamed to a name that exists, typed decomposed, then it is refused as existing', async () => {
    await createDepartment(gw.db, { agencyCode: agency.code, name: 'Phòng Tổ chức cán bộ' });
    const err = await createDepartment(gw.db, { agencyCode: agency.code, name: nfd('Phòng Tổ chức cán bộ') }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('CONFLICT');
    const other = await createDepartment(gw.db, { agencyCode: agency.code, name: 'Phòng Kế hoạch' });
    const renamed = await updateDepartment(gw.db, other.id, { name: nfd('phòng tổ chức cán bộ'), kind: 'phong', disabled: false }).catch((e: unknown) => e);
    expect((renamed as DomainError).code).to.equal('CONFLICT');
  });

  it('when a search is saved again under its name typed decomposed, then it replaces the saved one; display names are stored NFC', async () => {
    const user = await createUser(gw.db, { agencyCode: agency.code, username: `clerk.${uniqueTag(8).toLowerCase()}`, role: 'clerk', password: `mk-${uniqueTag(12)}`, fullName: nfd('Nguyễn Thị Hồng') });
    await saveSearch(gw.db, user.id, 'Văn bản khẩn', 'urgency=urgent');
    await saveSearch(gw.db, user.id, nfd('Văn bản khẩn'), 'urgency=flash');
    const saved = await listSavedSearches(gw.db, user.id);
    expect(saved.map((s) => [s.name, s.query])).to.deep.equal([['Văn bản khẩn', 'urgency=flash']]);
    const name = async () => (await gw.db.query(`SELECT full_name FROM users WHERE id = $1`, [user.id])).rows[0].full_name as string;
    expect(await name()).to.equal('Nguyễn Thị Hồng');
    await updateUser(gw.db, user.id, { fullName: nfd('Trần Văn Đức'), role: 'clerk', departmentId: null, email: null });
    expect(await name()).to.equal('Trần Văn Đức');
  });
});
