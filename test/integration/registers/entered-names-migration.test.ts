import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { migrationsDir } from '../../../services/db/migrator';
import { createBook } from '../../../services/domain/registers/register-books';
import { saveSearch } from '../../../services/domain/search/saved-search.repository';
import { createDepartment } from '../../../services/domain/users/department.repository';
import { createUser } from '../../../services/domain/users/user.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { uniqueTag } from '../../support/test-env';

/**
 * Migration 0109: names stored decomposed (NFD) before typed names were kept in NFC are composed;
 * one whose composed form another row has already is told apart as "<name> (2)" (then 3, …), the
 * row that had the composed name keeping it. The rows are made through the application and then set
 * decomposed in the table, as an older version stored them; the migration's SQL is run again over
 * them (it touches only names that are not NFC, so running it twice is harmless).
 */
describe('migration 0109: typed names stored decomposed are composed, look-alikes told apart', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let agency: TestAgency;
  const nfd = (s: string) => s.normalize('NFD');
  const sql = fs.readFileSync(path.join(migrationsDir(), '0109_entered_names_nfc.sql'), 'utf8');

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
  });
  after(async () => gw?.close());

  it('when books, departments, saved searches and display names were stored decomposed, then the migration composes them, and a decomposed twin of an existing name becomes "(2)", "(3)"', async () => {
    const name = 'Sổ công văn đến';
    // Two ways of decomposing it: fully (o + U+031B + U+0309 … ), and "ô" kept with U+0309 after it.
    const partly = name.replace('ổ', 'ô\u0309');
    expect(partly).to.not.equal(nfd(name));
    expect(partly.normalize('NFC')).to.equal(name);
    const books = [];
    for (const n of [name, 'Sổ tạm 1', 'Sổ tạm 2', 'Sổ tạm 3']) books.push(await createBook(gw.db, agency.code, 'incoming', n));
    const setBook = (id: string, n: string) => gw.db.query(`UPDATE register_books SET name = $2 WHERE id = $1`, [id, n]);
    await setBook(books[1]!.id, nfd(name));
    await setBook(books[2]!.id, partly);
    await setBook(books[3]!.id, nfd('Sổ đơn thư'));

    const departments: { id: string }[] = [];
    for (const n of ['Phòng Tổ chức cán bộ', 'Phòng tạm']) departments.push(await createDepartment(gw.db, { agencyCode: agency.code, name: n }));
    // A twin up to case: departments' names are unique whatever the case.
    await gw.db.query(`UPDATE departments SET name = $2 WHERE id = $1`, [departments[1]!.id, nfd('phòng tổ chức cán bộ')]);

    const user = await createUser(gw.db, { agencyCode: agency.code, username: `clerk.${uniqueTag(8).toLowerCase()}`, role: 'clerk', password: `mk-${uniqueTag(12)}`, fullName: 'Tạm' });
    await gw.db.query(`UPDATE users SET full_name = $2 WHERE id = $1`, [user.id, nfd('Nguyễn Thị Hồng')]);
    await saveSearch(gw.db, user.id, 'Văn bản khẩn', 'urgency=urgent');
    await saveSearch(gw.db, user.id, 'Tạm', 'urgency=flash');
    await gw.db.query(`UPDATE saved_searches SET name = $2 WHERE user_id = $1 AND name = 'Tạm'`, [user.id, nfd('Văn bản khẩn')]);

    await gw.db.query(sql);

    const bookNames = (await gw.db.query(`SELECT id, name FROM register_books WHERE agency_code = $1`, [agency.code])).rows;
    const nameOf = (id: string) => bookNames.find((b) => b.id === id)!.name as string;
    expect(nameOf(books[0]!.id), 'the composed one keeps its name').to.equal(name);
    expect([nameOf(books[1]!.id), nameOf(books[2]!.id)].sort()).to.deep.equal([`${name} (2)`, `${name} (3)`]);
    expect(nameOf(books[3]!.id)).to.equal('Sổ đơn thư');
    const deps = (await gw.db.query(`SELECT id, name FROM departments WHERE agency_code = $1`, [agency.code])).rows;
    expect(deps.find((d) => d.id === departments[0]!.id)!.name).to.equal('Phòng Tổ chức cán bộ');
    expect(deps.find((d) => d.id === departments[1]!.id)!.name).to.equal('phòng tổ chức cán bộ (2)');
    expect((await gw.db.query(`SELECT full_name FROM users WHERE id = $1`, [user.id])).rows[0].full_name).to.equal('Nguyễn Thị Hồng');
    const searches = (await gw.db.query(`SELECT name, query->>'qs' AS qs FROM saved_searches WHERE user_id = $1 ORDER BY name`, [user.id])).rows.map((r) => [r.name, r.qs]);
    expect(searches).to.deep.equal([['Văn bản khẩn', 'urgency=urgent'], ['Văn bản khẩn (2)', 'urgency=flash']]);

    // Every name of these tables is NFC now, and a second run changes nothing.
    for (const [table, column] of [['register_books', 'name'], ['departments', 'name'], ['saved_searches', 'name'], ['users', 'full_name']] as const) {
      const left = await gw.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} IS NOT NFC NORMALIZED`);
      expect(left.rows[0].n, table).to.equal(0);
    }
    const before = JSON.stringify((await gw.db.query(`SELECT id, name FROM register_books WHERE agency_code = $1 ORDER BY id`, [agency.code])).rows);
    await gw.db.query(sql);
    expect(JSON.stringify((await gw.db.query(`SELECT id, name FROM register_books WHERE agency_code = $1 ORDER BY id`, [agency.code])).rows)).to.equal(before);
  });
});
