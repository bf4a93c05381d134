import { expect } from 'chai';
import { attachFile, putBlob } from '../../../services/domain/blobs/blob.repository';
import { createDraft } from '../../../services/domain/drafts/outgoing-draft';
import { deleteSession } from '../../../services/domain/users/session.repository';
import { setUserDisabled } from '../../../services/domain/users/user-admin';
import { notifyUsers } from '../../../services/domain/notifications/notify';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { createAgencyPeople, type AgencyPeople, type Person } from '../../support/agency-people.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf } from '../../support/pdf.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { WebClient } from './web-client';

/**
 * Heads and specialists see only the copies given to their unit or to them (README § Handling
 * documents): not only in the lists but wherever a document's content is served — its files, its
 * printed copy, the live /events stream — and a draft opens by its link only for those its list
 * shows it to (or who acted on it). A stream ends when its session does.
 */
describe('web content scoped to the reader: files, print, /events and drafts', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let people: AgencyPeople;
  /** Received copies: [0] given to unit 0, [1] given to no one. */
  let received: { documentId: string; dispatchId: string }[] = [];
  /** A document the recipient agency sent. */
  let sent: { documentId: string; dispatchId: string };

  async function as(p: { username: string; password: string }): Promise<WebClient> {
    const c = new WebClient(gw.baseUrl);
    expect((await c.signIn(p.username, p.password)).status).to.equal(303);
    return c;
  }
  const cookieOf = (c: WebClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  /** An open /events stream: what it has said so far, and whether the server ended it. */
  async function listen(c: WebClient, path = '/events') {
    const ctl = new AbortController();
    const res = await fetch(`${gw.baseUrl}${path}`, { headers: { cookie: cookieOf(c) }, signal: ctl.signal });
    expect(res.status).to.equal(200);
    const s = { text: '', ended: false, close: () => ctl.abort() };
    void (async () => {
      const dec = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) s.text += dec.decode(chunk);
        s.ended = true;
      } catch {
        /* aborted */
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // subscribed
    return s;
  }
  const notify = (e: { documentId: string; dispatchId?: string; status: string }) => gw.db.query(`SELECT pg_notify('lienthong_dispatch', $1)`, [JSON.stringify(e)]);
  const heard = (text: string) => [...text.matchAll(/"documentId":"([0-9a-f-]{36})"/g)].map((m) => m[1]!);
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  before(async () => {
    gw = await startGateway();
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    people = await createAgencyPeople(gw.db, recipient.code);
    received = await seedDelivered(gw.db, sender.code, recipient.code, [{ subject: 'Văn bản giao phòng Tổng hợp' }, { subject: 'Văn bản chưa giao cho ai' }]);
    [sent] = (await seedDelivered(gw.db, recipient.code, sender.code, [{ subject: 'Văn bản cơ quan đã gửi' }])) as [{ documentId: string; dispatchId: string }];
    const pdf = await makePdf(1, 'Noi dung van ban');
    const blob = await putBlob(gw.db, pdf, 'application/pdf');
    for (const d of [...received, sent]) {
      await attachFile(gw.db, d.documentId, 'signed', blob, 'van-ban.pdf');
      await attachFile(gw.db, d.documentId, 'canonical', blob, 'van-ban-goc.pdf');
    }
    const u0 = people.departments[0]!;
    await gw.db.query(`INSERT INTO incoming_handling (dispatch_id, agency_code, stage, lead_department_id) VALUES ($1, $2, 'assigned', $3)`, [received[0]!.dispatchId, recipient.code, u0.id]);
    await gw.db.query(`INSERT INTO incoming_assignees (dispatch_id, role, department_id) VALUES ($1, 'lead', $2)`, [received[0]!.dispatchId, u0.id]);
  });

  after(async () => {
    await gw?.close();
  });

  it('when a unit head or specialist asks for the files or the printed copy of a document not given to them (or a sent one), then 404 as on /inbox/:id; of one given to them, 200', async () => {
    const [u0, u1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const paths = (id: string) => [`/documents/${id}/files/signed`, `/documents/${id}/files/signed?download=1`, `/documents/${id}/files/canonical`, `/documents/${id}/print`];
    for (const who of [u0.head, u0.specialist, u1.head, u1.specialist]) {
      const w = await as(who);
      const mine = who === u0.head || who === u0.specialist;
      for (const p of paths(received[1]!.documentId)) expect((await w.get(p)).status, `${who.username} ${p} (not given)`).to.equal(404);
      for (const p of paths(sent.documentId)) expect((await w.get(p)).status, `${who.username} ${p} (sent)`).to.equal(404);
      expect((await w.get(`/inbox/${received[1]!.dispatchId}`)).status).to.equal(404);
      expect((await w.get(`/documents/${received[0]!.documentId}/files/signed`)).status, `${who.username} given copy`).to.equal(mine ? 200 : 404);
      expect((await w.get(`/documents/${received[0]!.documentId}/print`)).status, `${who.username} given copy print`).to.equal(mine ? 200 : 404);
      // A recipient reads the signed PDF, never the sender's canonical one.
      expect((await w.get(`/documents/${received[0]!.documentId}/files/canonical`)).status).to.equal(404);
    }
  });

  it('when the clerk or the leader asks, then every document of the agency is served, sent ones with the sender’s files', async () => {
    for (const who of [people.clerk, people.leader]) {
      const w = await as(who);
      for (const d of received) {
        expect((await w.get(`/documents/${d.documentId}/files/signed`)).status).to.equal(200);
        expect((await w.get(`/documents/${d.documentId}/print`)).status).to.equal(200);
      }
      expect((await w.get(`/documents/${sent.documentId}/files/canonical`)).status).to.equal(200);
      expect((await w.get(`/documents/${sent.documentId}/print`)).status).to.equal(200);
    }
  });

  it('when documents change status, then a unit head or specialist hears on /events only the copies given to them or their unit, and the clerk every one', async () => {
    const [u0, u1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const streams = new Map<Person, Awaited<ReturnType<typeof listen>>>();
    for (const who of [u0.specialist, u0.head, u1.specialist, u1.head, people.clerk]) streams.set(who, await listen(await as(who)));
    try {
      for (const d of received) await notify({ ...d, status: 'registered' });
      await notify({ documentId: received[1]!.documentId, status: 'registered' }); // no dispatch named
      await notify({ documentId: sent.documentId, status: 'delivered' }); // sender side
      await notify({ ...sent, status: 'registered' });
      await settle();
      for (const who of [u0.specialist, u0.head]) expect(heard(streams.get(who)!.text), who.username).to.deep.equal([received[0]!.documentId]);
      for (const who of [u1.specialist, u1.head]) expect(heard(streams.get(who)!.text), who.username).to.deep.equal([]);
      expect(heard(streams.get(people.clerk)!.text)).to.have.members([received[0]!.documentId, received[1]!.documentId, received[1]!.documentId, sent.documentId, sent.documentId]);
    } finally {
      for (const s of streams.values()) s.close();
    }
  });

  it('when a user is disabled, or signs out, while /events is open, then the stream ends and tells nothing more', async () => {
    const u0 = people.departments[0]!;
    const disabled = await listen(await as(u0.specialist));
    const clerk = await as(people.clerk);
    const signedOut = await listen(clerk);
    try {
      await setUserDisabled(gw.db, u0.specialist.id, true);
      await deleteSession(gw.db, clerk.cookies.get('lt_session')!);
      const mark = { d: disabled.text.length, s: signedOut.text.length };
      await notify({ ...received[0]!, status: 'completed' });
      await settle();
      expect(disabled.text.slice(mark.d)).to.not.contain('documentId');
      expect(signedOut.text.slice(mark.s)).to.not.contain('documentId');
      expect(disabled.ended, 'the disabled user’s stream ended').to.equal(true);
      expect(signedOut.ended, 'the signed-out stream ended').to.equal(true);
    } finally {
      disabled.close();
      signedOut.close();
      await setUserDisabled(gw.db, u0.specialist.id, false);
    }
  });

  it('when a user signs out while /notifications/stream is open, then the stream ends at the next notification and tells nothing more', async () => {
    const clerk = await as(people.clerk);
    const stream = await listen(clerk, '/notifications/stream');
    try {
      await deleteSession(gw.db, clerk.cookies.get('lt_session')!);
      const mark = stream.text.length;
      expect(await notifyUsers(gw.db, [people.clerk.id], { kind: 'new_document', title: 'Văn bản mới sau khi đăng xuất' })).to.equal(1);
      await settle();
      expect(stream.text.slice(mark)).to.not.contain('Văn bản mới sau khi đăng xuất');
      expect(stream.ended, 'the signed-out stream ended').to.equal(true);
    } finally {
      stream.close();
    }
  });

  it('when someone opens a draft by its link, then only those its /drafts list shows it to (or who acted on it) see it; others 404', async () => {
    const [u0, u1] = people.departments as [AgencyPeople['departments'][0], AgencyPeople['departments'][0]];
    const author = { id: u0.specialist.id, username: u0.specialist.username, fullName: null, role: 'specialist' as const, agencyCode: recipient.code, departmentId: u0.id };
    const pdf = await makePdf(1, 'Du thao bao cao');
    const blob = await putBlob(gw.db, pdf, 'application/pdf');
    const form = {
      documentType: 'CV', number: '', notation: 'STC-NS', issuedOn: '2026-11-20', place: 'Đắk Lắk', subject: 'Dự thảo báo cáo nội bộ', signerAuthority: 'KT.',
      signerPosition: 'PHÓ GIÁM ĐỐC', signerName: 'Trần Thị Lan', urgency: 'normal', dueOn: '', recipients: [sender.code], source: 'upload', bodyText: '', copies: 'Lưu: VT.', formKey: 'k',
    };
    const id = await createDraft(gw.db, author, form, { sha256: blob.sha256, name: 'du-thao.pdf' });
    for (const [who, status] of [[u0.specialist, 200], [u0.head, 200], [u1.specialist, 404], [u1.head, 404], [people.clerk, 404], [people.leader, 404]] as const) {
      const w = await as(who);
      expect((await w.get(`/drafts/${id}`)).status, `${who.username} page`).to.equal(status);
      expect((await w.get(`/drafts/${id}/preview.pdf`)).status, `${who.username} preview`).to.equal(status);
      expect((await w.get('/drafts')).text.includes(id), `${who.username} list`).to.equal(status === 200);
    }
    // The head approves: the page they are sent back to still opens for them; the leader now has it.
    const head = await as(u0.head);
    const approved = await head.post(`/drafts/${id}/approve`, { comment: 'Đồng ý' }, { fromPage: `/drafts/${id}` });
    expect(approved.status).to.equal(303);
    expect((await head.get(approved.location!)).status).to.equal(200);
    expect((await (await as(people.leader)).get(`/drafts/${id}`)).status).to.equal(200);
    expect((await (await as(u1.head)).get(`/drafts/${id}`)).status).to.equal(404);
  });
});
