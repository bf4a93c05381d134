import { expect } from 'chai';
import { recordStatus } from '../../../services/domain/dispatches/record-status';
import { assignUnits, completeHandling, type Actor } from '../../../services/domain/handling/incoming-flow';
import { unitFigures } from '../../../services/web/queries/unit-dashboard.query';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople } from '../../support/agency-people.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker } from '../../support/worker.fixture';
import { WebClient } from './web-client';

const vn = (local: string) => new Date(`${local}+07:00`);

/**
 * Seven copies in known states, arrived Monday 2 March 2026 and registered the same morning:
 *   Phòng Tổng hợp   — open, due 06/03/2026 (overdue); open, due 30/06/2099; completed 05/03 for 06/03 (on time);
 *                      completed 06/03 for 04/03 (late)
 *   Phòng Nghiệp vụ  — open, due 30/06/2099; completed without a deadline (on time)
 *   not assigned     — registered, no deadline
 */
const PLAN = [
  { unit: 0, due: '2026-03-06', completedAt: null },
  { unit: 0, due: '2099-06-30', completedAt: null },
  { unit: 0, due: '2026-03-06', completedAt: '2026-03-05T15:00:00' },
  { unit: 0, due: '2026-03-04', completedAt: '2026-03-06T10:00:00' },
  { unit: 1, due: '2099-06-30', completedAt: null },
  { unit: 1, due: null, completedAt: '2026-03-03T11:00:00' },
  { unit: null, due: null, completedAt: null },
] as const;

describe('the leader\'s dashboard: per unit the open, overdue and on-time-completed copies of a known set', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code);
    const worker = spawnWorker();
    const ids: string[] = [];
    try {
      for (const [i] of PLAN.entries()) {
        const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { subject: `Văn bản bảng theo dõi số ${i + 1}` }), await makePdf(1)));
        expect(posted.status).to.equal(202);
        ids.push(posted.body.id);
      }
      const dispatches = await waitFor('seven copies delivered', async () => {
        const r = await gw.db.query(`SELECT x.id FROM dispatches x JOIN unnest($1::uuid[]) WITH ORDINALITY AS o(doc, n) ON o.doc = x.document_id WHERE x.status = 'delivered' ORDER BY o.n`, [ids]);
        return r.rows.length === PLAN.length ? r.rows.map((x) => x.id as string) : undefined;
      }, { timeoutMs: 150_000 });
      const leader = (await gw.db.query(`SELECT id, username, full_name AS "fullName", role, agency_code AS "agencyCode", department_id AS "departmentId" FROM users WHERE id = $1`, [people.leader.id])).rows[0] as Actor;
      for (const [i, p] of PLAN.entries()) {
        const id = dispatches[i]!;
        await recordStatus(gw.db, { actingAgency: recipient.code, dispatchId: id, code: '03', actor: 'test' });
        if (p.unit !== null) await assignUnits(gw.db, leader, id, { leadDepartmentId: people.departments[p.unit]!.id, supportDepartmentIds: [], deadlineOn: p.due ?? undefined });
        if (p.completedAt) {
          await completeHandling(gw.db, leader, id, 'Đã xử lý xong');
          await gw.db.query(`UPDATE dispatch_events SET at = $2 WHERE dispatch_id = $1 AND code = '06'`, [id, vn(p.completedAt)]);
        }
      }
      await gw.db.query(`UPDATE dispatches SET delivered_at = $2 WHERE id = ANY($1::uuid[])`, [dispatches, vn('2026-03-02T09:00:00')]);
      await gw.db.query(`UPDATE dispatch_events SET at = $2 WHERE dispatch_id = ANY($1::uuid[]) AND code = '03'`, [dispatches, vn('2026-03-02T10:00:00')]);
    } finally {
      await worker.stop();
    }
  });
  after(async () => gw?.close());

  const expected = () => [
    { name: 'Chưa phân công', open: 1, overdue: 0, completed: 0, completedOnTime: 0 },
    { name: 'Phòng Nghiệp vụ', open: 1, overdue: 0, completed: 1, completedOnTime: 1 },
    { name: 'Phòng Tổng hợp', open: 2, overdue: 1, completed: 2, completedOnTime: 1 },
  ];

  it('when the figures are read, then each unit has exactly its open, overdue, completed and on-time counts (one overdue rule)', async () => {
    const rows = await unitFigures(gw.db, recipient.code);
    expect(rows.map(({ name, open, overdue, completed, completedOnTime }) => ({ name, open, overdue, completed, completedOnTime })).sort((a, b) => a.name.localeCompare(b.name))).to.deep.equal(expected());
    expect(rows.find((r) => r.name === 'Phòng Tổng hợp')!.departmentId).to.equal(people.departments[0]!.id);
    // The same moment seen on Thursday 5 March: nothing was overdue yet (due Friday 6 March).
    const earlier = await unitFigures(gw.db, recipient.code, vn('2026-03-05T09:00:00'));
    expect(earlier.find((r) => r.name === 'Phòng Tổng hợp')!.overdue).to.equal(0);
    // Another agency's dashboard does not see these copies.
    expect(await unitFigures(gw.db, sender.code)).to.deep.equal([]);
  });

  it('when the leader opens /leader, then the per-unit table shows the same figures, with the on-time share', async () => {
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(people.leader.username, people.leader.password)).status).to.equal(303);
    const page = await web.get('/leader');
    expect(page.status).to.equal(200);
    const table = page.text.slice(page.text.indexOf('id="unit-figures"'), page.text.indexOf('</table>', page.text.indexOf('id="unit-figures"')));
    const rows = [...table.matchAll(/<tr( class="is-late")?><th scope="row" data-label="Đơn vị">([^<]+)<\/th><td class="num" data-label="Đang giải quyết">(\d+)<\/td><td class="num" data-label="Quá hạn">(\d+)<\/td><td class="num" data-label="Đã hoàn thành">(\d+)<\/td><td class="num" data-label="Đúng hạn">([^<]+)<\/td><\/tr>/g)].map((m) => ({
      late: Boolean(m[1]), name: m[2], open: Number(m[3]), overdue: Number(m[4]), completed: Number(m[5]), onTime: m[6],
    }));
    expect(rows.sort((a, b) => a.name!.localeCompare(b.name!))).to.deep.equal([
      { late: false, name: 'Chưa phân công', open: 1, overdue: 0, completed: 0, onTime: '0' },
      { late: false, name: 'Phòng Nghiệp vụ', open: 1, overdue: 0, completed: 1, onTime: '1 (100%)' },
      { late: true, name: 'Phòng Tổng hợp', open: 2, overdue: 1, completed: 2, onTime: '1 (50%)' },
    ]);
  });
});
