import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, pdfText, type AgencyPeople } from '../../support/agency-people.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { WebClient } from './web-client';

describe('incoming documents handled the Decree 30 way (web)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  let documentId = '';
  let dispatchId = '';

  async function as(p: { username: string; password: string }): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    const r = await c.signIn(p.username, p.password);
    expect(r.status, `sign-in of ${p.username}`).to.equal(303);
    return c;
  }

  async function notificationsOf(userId: string): Promise<{ kind: string; title: string; urgent: boolean }[]> {
    return (await gw.db.query(`SELECT kind, title, urgent FROM notifications WHERE user_id = $1 ORDER BY id`, [userId])).rows;
  }

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code);
    worker = spawnWorker();
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { urgency: 'flash', dueOn: '2030-12-31' }), await makePdf(1)));
    expect(posted.status).to.equal(202);
    documentId = posted.body.id;
    dispatchId = await waitFor('delivery', async () => {
      const r = await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [documentId]);
      return r.rows[0]?.id as string | undefined;
    }, { timeoutMs: 90_000 });
  });

  after(async () => {
    await worker?.stop();
    await gw?.close();
  });

  it('when a Hỏa tốc document arrives, then the văn thư and (at once) the leader are notified; heads and specialists are not', async () => {
    const clerkN = await notificationsOf(people.clerk.id);
    const leaderN = await notificationsOf(people.leader.id);
    expect(clerkN.map((n) => n.kind)).to.deep.equal(['new_document']);
    expect(leaderN).to.have.length(1);
    expect(leaderN[0]).to.include({ kind: 'new_document', urgent: true });
    expect(leaderN[0]!.title).to.contain('Văn bản khẩn đến');
    expect(await notificationsOf(people.departments[0]!.head.id)).to.deep.equal([]);
    // The specialist cannot even open the copy before it is given to them.
    const specialist = await as(people.departments[0]!.specialist);
    expect((await specialist.get(`/inbox/${dispatchId}`)).status).to.equal(404);
  });

  it('when the clerk registers and then tries to assign, then the assignment is refused with 403 and nothing changes', async () => {
    const clerk = await as(people.clerk);
    const reg = await clerk.post(`/inbox/${dispatchId}/status`, { code: '03' }, { fromPage: `/inbox/${dispatchId}` });
    expect(reg.status).to.equal(303);
    const lead = `dept:${people.departments[0]!.id}`;
    const refused = await clerk.post(`/inbox/${dispatchId}/assign`, { lead, deadlineOn: '2030-06-30' }, { fromPage: `/inbox/${dispatchId}` });
    expect(refused.status).to.equal(403);
    const viaStatus = await clerk.post(`/inbox/${dispatchId}/status`, { code: '04', department: 'Phòng Tổng hợp' }, { fromPage: `/inbox/${dispatchId}` });
    expect(viaStatus.status).to.equal(403);
    const h = await gw.db.query(`SELECT stage, lead_department_id FROM incoming_handling WHERE dispatch_id = $1`, [dispatchId]);
    expect(h.rows[0]).to.deep.equal({ stage: 'registered', lead_department_id: null });
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM dispatch_events WHERE dispatch_id = $1 AND code = '04'`, [dispatchId])).rows[0].n).to.equal(0);
  });

  it('when submitted, assigned with chủ trì/phối hợp, given to a specialist, noted with a file and completed, then each step is on the timeline and the sender sees 03, 04, 04, 05, 06', async () => {
    const [tonghop, nghiepvu] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const clerk = await as(people.clerk);
    expect((await clerk.post(`/inbox/${dispatchId}/submit`, { note: 'Kính trình lãnh đạo' }, { fromPage: `/inbox/${dispatchId}` })).status).to.equal(303);
    expect((await notificationsOf(people.leader.id)).map((n) => n.kind)).to.include('submitted');

    const leader = await as(people.leader);
    const assigned = await leader.post(
      `/inbox/${dispatchId}/assign`,
      { lead: `dept:${tonghop.id}`, support: [nghiepvu.id], deadlineOn: '2030-06-30', instruction: 'Tham mưu báo cáo trước hạn' },
      { fromPage: `/inbox/${dispatchId}` },
    );
    expect(assigned.status).to.equal(303);
    expect((await notificationsOf(tonghop.head.id)).map((n) => n.title).join()).to.contain('Được giao chủ trì');
    expect((await notificationsOf(nghiepvu.head.id)).map((n) => n.title).join()).to.contain('Được giao phối hợp');

    // The other unit's head may not give the work to anyone: it is not in charge.
    const otherHead = await as(nghiepvu.head);
    expect((await otherHead.post(`/inbox/${dispatchId}/assign-person`, { userId: nghiepvu.specialist.id }, { fromPage: `/inbox/${dispatchId}` })).status).to.equal(403);

    const head = await as(tonghop.head);
    expect((await head.post(`/inbox/${dispatchId}/assign-person`, { userId: tonghop.specialist.id, note: 'Xử lý ngay' }, { fromPage: `/inbox/${dispatchId}` })).status).to.equal(303);
    expect((await notificationsOf(tonghop.specialist.id)).map((n) => n.kind)).to.deep.equal(['assigned']);

    const specialist = await as(tonghop.specialist);
    const form = new FormData();
    form.append('_csrf', await specialist.csrf(`/inbox/${dispatchId}`));
    form.append('note', 'Đã dự thảo báo cáo');
    form.append('file', new Blob([Buffer.from('Bao cao ket qua')], { type: 'text/plain' }), 'bao-cao.txt');
    expect((await specialist.request('POST', `/inbox/${dispatchId}/note`, form)).status).to.equal(303);
    const done = await specialist.post(`/inbox/${dispatchId}/complete`, { result: 'Đã báo cáo UBND tỉnh' }, { fromPage: `/inbox/${dispatchId}` });
    expect(done.status).to.equal(303);

    const steps = (await gw.db.query(`SELECT kind FROM incoming_steps WHERE dispatch_id = $1 ORDER BY id`, [dispatchId])).rows.map((r) => r.kind);
    expect(steps).to.deep.equal(['submit', 'assign', 'assign_person', 'note', 'complete']);
    const page = await specialist.get(`/inbox/${dispatchId}`);
    expect(page.text).to.contain('Phòng Tổng hợp').and.contain('Tham mưu báo cáo trước hạn').and.contain('bao-cao.txt').and.contain('Đã báo cáo UBND tỉnh');

    const view = await getJson(gw.baseUrl, `/v1/documents/${documentId}`, sender.apiKey);
    const events = view.body.dispatches[0].events as { code: string; note: string | null }[];
    expect(events.map((e) => e.code)).to.deep.equal(['01', '03', '04', '04', '05', '06']);
    expect(events[2]!.note).to.contain('Chủ trì: Phòng Tổng hợp').and.contain('phối hợp: Phòng Nghiệp vụ').and.contain('30/06/2030');
    expect(events[5]!.note).to.equal('Đã báo cáo UBND tỉnh');
    expect(view.body.dispatches[0].status).to.equal('completed');
  });

  it('when the phiếu giải quyết is printed, then poppler reads the agency, the instructions, the units, the deadline and the result', async () => {
    const leader = await as(people.leader);
    const r = await fetch(`${gw.baseUrl}/inbox/${dispatchId}/phieu-giai-quyet.pdf`, { headers: { cookie: [...leader.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('application/pdf');
    const text = pdfText(Buffer.from(await r.arrayBuffer()));
    expect(text).to.contain('PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN');
    expect(text).to.contain('Tham mưu báo cáo trước hạn');
    expect(text).to.contain('Phòng Tổng hợp');
    expect(text).to.contain('Phòng Nghiệp vụ');
    expect(text).to.contain('30/06/2030');
    expect(text).to.contain('Đã báo cáo UBND tỉnh');
    expect(text).to.contain('Hỏa tốc');
  });
});
