import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { WebClient } from './web-client';

/**
 * Heads and specialists see only the copies given to their unit or to them (README § Handling
 * documents): in every web list of documents, not only the inbox — the search (with words or
 * without, every box), its exports, and the registers (the agency's whole books).
 */
describe('web lists scoped to the reader: the search, its exports and the registers', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  let given: string[] = [];
  let all: string[] = [];

  async function as(p: { username: string; password: string }): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    expect((await c.signIn(p.username, p.password)).status).to.equal(303);
    return c;
  }
  const inboxIds = (html: string) => [...new Set([...html.matchAll(/\/inbox\/([0-9a-f-]{36})/g)].map((m) => m[1]!))];
  const outboxIds = (html: string) => [...new Set([...html.matchAll(/\/outbox\/([0-9a-f-]{36})/g)].map((m) => m[1]!))];

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code);
    const seeded = await seedDelivered(gw.db, sender.code, recipient.code, Array.from({ length: 6 }, (_, i) => ({ subject: `Về cải cách hành chính đợt ${i + 1}` })));
    all = seeded.map((s) => s.dispatchId);
    // The recipient also sent documents with the same words (its sent box).
    await seedDelivered(gw.db, recipient.code, sender.code, [{ subject: 'Báo cáo cải cách hành chính của đơn vị' }]);
    // Two copies given: one to unit 0 (chủ trì), one to unit 1's specialist in person.
    const [u0, u1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    for (const [dispatchId, dep, user] of [[all[1]!, u0.id, null], [all[3]!, null, u1.specialist.id]] as const) {
      await gw.db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, lead_department_id, lead_user_id) VALUES ($1, $2, 'assigned', $3, $4)`, [dispatchId, recipient.code, dep, user]);
      await gw.db.query(`INSERT INTO incoming_assignees (dispatch_id, role, department_id, user_id) VALUES ($1, 'lead', $2, $3)`, [dispatchId, dep, user]);
    }
    given = [all[1]!];
  });

  after(async () => {
    await gw?.close();
  });

  it('when a unit head or specialist searches (words or none, any box), then only the copies given to them or their unit are listed, and no sent document', async () => {
    const [u0, u1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    for (const [who, expected] of [[u0.head, given], [u0.specialist, given], [u1.head, []], [u1.specialist, [all[3]!]]] as const) {
      const w = await as(who);
      for (const qs of ['q=cai+cach&box=in', 'q=cai+cach', 'q=cai+cach&box=all&count=exact', 'type=CV', 'box=all&type=CV', `q=cai+cach&box=in&page=last`]) {
        const r = await w.get(`/search?${qs}&limit=200`);
        expect(r.status, `${who.username} ${qs}`).to.equal(200);
        expect(inboxIds(r.text).sort(), `${who.username} ${qs}`).to.deep.equal([...expected].sort());
        expect(outboxIds(r.text), `${who.username} ${qs}`).to.deep.equal([]);
      }
      const out = await w.get('/search?q=cai+cach&box=out');
      expect(outboxIds(out.text)).to.deep.equal([]);
      for (const fmt of ['csv', 'xlsx']) {
        const csv = await w.get(`/search/export.${fmt}?q=cai+cach`);
        expect(csv.status).to.equal(200);
        if (fmt === 'csv') {
          const lines = csv.text.split('\n').filter((l) => l.includes('cải cách'));
          expect(lines, `${who.username} export`).to.have.length(expected.length);
        }
      }
      // The registers are the agency's whole books: not theirs to read.
      for (const path of ['/registers', '/registers?kind=outgoing', '/registers/export.csv', '/registers/print.pdf']) {
        expect((await w.get(path)).status, `${who.username} ${path}`).to.equal(403);
      }
    }
  });

  it('when the clerk or the leader searches, then every copy of the agency and its sent documents are listed, and the registers open', async () => {
    for (const who of [people.clerk, people.leader]) {
      const w = await as(who);
      const r = await w.get('/search?q=cai+cach&limit=200');
      expect(inboxIds(r.text).sort()).to.deep.equal([...all].sort());
      expect(outboxIds(r.text)).to.have.length(1);
      const csv = await w.get('/search/export.csv?q=cai+cach');
      expect(csv.text.split('\n').filter((l) => l.includes('cải cách'))).to.have.length(7);
      expect((await w.get('/registers')).status).to.equal(200);
    }
  });
});
