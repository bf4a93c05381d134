import { expect } from 'chai';
import { seedDemoUsers, type CredentialsWithUsers } from '../../../services/web/seed/seed-demo-users';
import { createAgencies } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { WebClient } from './web-client';

describe('demo seed: every demo agency gets a leader and two departments with a head and a specialist', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  before(async () => (gw = await startGateway()));
  after(async () => gw?.close());

  it('when the demo users are seeded, then dev-credentials has agencies[i].leader and departments[j] {name, head, specialist}, and each login signs in with its role', async () => {
    const agencies = await createAgencies(gw.db, 2, { withCertificates: false });
    // The seed's usernames are fixed per agency code: a second seeding in the same database would collide, so this suite seeds once.
    const creds: CredentialsWithUsers = { agencies: agencies.map((a) => ({ code: a.code, name: a.name })) };
    await gw.db.query(`UPDATE users SET username = username || '.old' WHERE username IN ('giamsat', 'quantri')`);
    await seedDemoUsers(gw.db, creds);
    for (const a of creds.agencies) {
      expect(a.leader).to.have.keys('username', 'password');
      expect(a.departments).to.have.length(2);
      for (const d of a.departments!) {
        expect(d.name).to.be.a('string').and.not.empty;
        expect(d.head).to.have.keys('username', 'password');
        expect(d.specialist).to.have.keys('username', 'password');
      }
    }
    const d = creds.agencies[0]!.departments![1]!;
    const row = (await gw.db.query(
      `SELECT u.role, p.name FROM users u JOIN departments p ON p.id = u.department_id WHERE u.username = ANY($1::text[]) ORDER BY u.role`,
      [[d.head.username, d.specialist.username]],
    )).rows;
    expect(row).to.deep.equal([{ role: 'specialist', name: d.name }, { role: 'unit_head', name: d.name }]);
    const leader = new WebClient(gw.baseUrl);
    const signedIn = await leader.signIn(creds.agencies[1]!.leader!.username, creds.agencies[1]!.leader!.password);
    expect(signedIn.location).to.equal('/leader');
    const head = new WebClient(gw.baseUrl);
    expect((await head.signIn(d.head.username, d.head.password)).location).to.equal('/inbox');
  });
});
