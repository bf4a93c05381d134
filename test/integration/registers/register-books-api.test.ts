import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { outgoingRegister } from '../../../services/domain/registers/register-entries';
import { incomingRegister } from '../../../services/domain/registers/register-entries';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { createWebUser, WebClient } from '../web/web-client';

async function call(gw: RunningGateway, method: string, path: string, apiKey: string, body?: unknown) {
  const res = await fetch(`${gw.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Yesterday in Vietnam, YYYY-MM-DD. */
function yesterdayVn(): string {
  return new Date(Date.now() + 7 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
}

describe('register books through the API and the send form: the incoming book and date at 03, the outgoing book at submission', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  let other: TestAgency;

  before(async () => {
    gw = await startGateway();
    [sender, recipient, other] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('when an agency system lists and opens books, then the defaults come first, a second book of the same name is 409, and a bad kind is 400', async () => {
    const listed = await call(gw, 'GET', '/v1/registers/books', sender.apiKey);
    expect(listed.status).to.equal(200);
    expect(listed.body.books.map((b: any) => [b.kind, b.name, b.isDefault])).to.deep.equal([
      ['incoming', 'Sổ văn bản đến', true],
      ['outgoing', 'Sổ văn bản đi', true],
    ]);
    const made = await call(gw, 'POST', '/v1/registers/books', sender.apiKey, { kind: 'outgoing', name: 'Sổ quyết định' });
    expect(made.status).to.equal(201);
    expect(made.body).to.include({ kind: 'outgoing', name: 'Sổ quyết định', isDefault: false });
    const again = await call(gw, 'POST', '/v1/registers/books', sender.apiKey, { kind: 'outgoing', name: 'Sổ quyết định' });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('CONFLICT');
    const bad = await call(gw, 'GET', '/v1/registers/books?kind=mat', sender.apiKey);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const outgoing = await call(gw, 'GET', '/v1/registers/books?kind=outgoing', sender.apiKey);
    expect(outgoing.body.books.map((b: any) => b.name)).to.deep.equal(['Sổ văn bản đi', 'Sổ quyết định']);
    // Another agency sees only its own books.
    const theirs = await call(gw, 'GET', '/v1/registers/books?kind=outgoing', other.apiKey);
    expect(theirs.body.books.map((b: any) => b.name)).to.deep.equal(['Sổ văn bản đi']);
  });

  it('when documents are submitted into two outgoing books, then numbers stay one agency sequence and each book lists only its own lines; another agency\'s book is refused and nothing is written', async () => {
    const books = (await call(gw, 'GET', '/v1/registers/books?kind=outgoing', sender.apiKey)).body.books as any[];
    const decisions = books.find((b) => b.name === 'Sổ quyết định');
    const plain = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { issuedOn: '2026-03-02' }), await makePdf(1)));
    const inBook = await postDocument(
      gw.baseUrl,
      sender.apiKey,
      documentForm(metadataFor([recipient.code], { issuedOn: '2026-03-02', documentType: 'QĐ', registerBook: decisions.id }), await makePdf(1)),
    );
    expect(plain.status).to.equal(202);
    expect(inBook.status, JSON.stringify(inBook.body)).to.equal(202);
    const numbers = await gw.db.query(`SELECT id, number, register_book_id FROM documents WHERE id = ANY($1::uuid[])`, [[plain.body.id, inBook.body.id]]);
    const byId = new Map(numbers.rows.map((r: any) => [r.id, r]));
    expect(Number(byId.get(inBook.body.id).number)).to.equal(Number(byId.get(plain.body.id).number) + 1);
    expect(byId.get(inBook.body.id).register_book_id).to.equal(decisions.id);
    expect(byId.get(plain.body.id).register_book_id).to.equal(null);

    const defaultBook = books.find((b) => b.isDefault);
    const inDefault = await outgoingRegister(gw.db, sender.code, defaultBook, 2026);
    const inDecisions = await outgoingRegister(gw.db, sender.code, decisions, 2026);
    expect(inDefault.map((e) => e.documentId)).to.include(plain.body.id).and.not.include(inBook.body.id);
    expect(inDecisions.map((e) => e.documentId)).to.deep.equal([inBook.body.id]);

    const theirBook = (await call(gw, 'POST', '/v1/registers/books', other.apiKey, { kind: 'outgoing', name: 'Sổ riêng' })).body;
    const before = (await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code])).rows[0].n;
    const refused = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { registerBook: theirBook.id }), await makePdf(1)));
    expect(refused.status).to.equal(400);
    expect(refused.body.error.code).to.equal('VALIDATION_FAILED');
    expect(JSON.stringify(refused.body.error.details)).to.contain('metadata.registerBook');
    const after = (await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [sender.code])).rows[0].n;
    expect(after).to.equal(before);
  });

  it('when a recipient system registers with 03 into a chosen incoming book and date, then the book numbers its own copies from 01 and keeps the date; a register block on another code is 400, a foreign book 404', async () => {
    const secret = await call(gw, 'POST', '/v1/registers/books', recipient.apiKey, { kind: 'incoming', name: 'Sổ văn bản mật đến' });
    expect(secret.status).to.equal(201);
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    const posted2 = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    const ids = [posted.body.id, posted2.body.id];
    await waitFor('both delivered', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1::uuid[]) AND status = 'delivered'`, [ids]);
      return r.rows[0].n === 2;
    });
    const inbox = (await getJson(gw.baseUrl, '/v1/inbox', recipient.apiKey)).body.items as any[];
    const [d1, d2] = ids.map((id) => inbox.find((i) => i.documentId === id).dispatchId as string);

    const wrongCode = await call(gw, 'POST', `/v1/inbox/${d1}/status`, recipient.apiKey, { code: '01', register: { bookId: secret.body.id } });
    expect(wrongCode.status).to.equal(400);
    const foreign = (await call(gw, 'POST', '/v1/registers/books', other.apiKey, { kind: 'incoming', name: 'Sổ khác' })).body;
    const foreignBook = await call(gw, 'POST', `/v1/inbox/${d1}/status`, recipient.apiKey, { code: '03', register: { bookId: foreign.id } });
    expect(foreignBook.status).to.equal(404);
    const future = await call(gw, 'POST', `/v1/inbox/${d1}/status`, recipient.apiKey, { code: '03', register: { registeredOn: '2999-01-01' } });
    expect(future.status).to.equal(400);
    const stillOpen = await gw.db.query(`SELECT status, incoming_number FROM dispatches WHERE id = $1`, [d1]);
    expect(stillOpen.rows[0]).to.deep.equal({ status: 'delivered', incoming_number: null });

    const day = yesterdayVn();
    // A copy is entered on or after the day it arrived: this one arrived two days ago.
    await gw.db.query(`UPDATE dispatches SET delivered_at = delivered_at - interval '2 days' WHERE id = $1`, [d1]);
    const r1 = await call(gw, 'POST', `/v1/inbox/${d1}/status`, recipient.apiKey, { code: '03', register: { bookId: secret.body.id, registeredOn: day } });
    expect(r1.status, JSON.stringify(r1.body)).to.equal(200);
    expect(r1.body.incomingNumber).to.equal('01');
    const r2 = await call(gw, 'POST', `/v1/inbox/${d2}/status`, recipient.apiKey, { code: '03', register: { bookId: secret.body.id } });
    expect(r2.body.incomingNumber).to.equal('02');
    const rows = await gw.db.query(`SELECT id, registered_on::text AS day, register_book_id FROM dispatches WHERE id = ANY($1::uuid[]) ORDER BY incoming_number`, [[d1, d2]]);
    expect(rows.rows.map((r: any) => r.register_book_id)).to.deep.equal([secret.body.id, secret.body.id]);
    expect(rows.rows[0].day).to.equal(day);
    const book = { id: secret.body.id, name: secret.body.name, kind: 'incoming' as const, isDefault: false };
    const lines = await incomingRegister(gw.db, recipient.code, book, Number(day.slice(0, 4)));
    expect(lines.map((l) => l.dispatchId)).to.include(d1);
  });

  it('when an agency has a second outgoing book, then the send form offers it and a document sent from the web is written into it', async () => {
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const page = await web.request('GET', '/send');
    expect(page.text).to.contain('Sổ văn bản đi').and.contain('Sổ quyết định').and.contain('name="registerBook"');
    const decisions = ((await call(gw, 'GET', '/v1/registers/books?kind=outgoing', sender.apiKey)).body.books as any[]).find((b) => b.name === 'Sổ quyết định');
    const form = new FormData();
    form.append('_csrf', await web.csrf('/send'));
    const fields: Record<string, string> = {
      documentType: 'QĐ', number: '', notation: 'QĐ-SNV', issuedOn: '2026-03-05', place: 'Đắk Lắk', subject: 'Về việc ban hành quy chế',
      signerAuthority: '', signerPosition: 'GIÁM ĐỐC', signerName: 'Nguyễn Văn A', urgency: 'normal', dueOn: '', source: 'upload',
      copies: 'Lưu: VT.', formKey: randomBytes(18).toString('base64url'), registerBook: decisions.id,
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('recipients', recipient.code);
    form.append('file', new Blob([await makePdf(1)], { type: 'application/pdf' }), 'quyet-dinh.pdf');
    const res = await web.request('POST', '/send', form);
    expect(res.status, res.text.slice(0, 400)).to.equal(303);
    const id = /\/outbox\/([0-9a-f-]{36})/.exec(res.location ?? '')![1]!;
    const row = await gw.db.query(`SELECT register_book_id FROM documents WHERE id = $1`, [id]);
    expect(row.rows[0].register_book_id).to.equal(decisions.id);
  });
});
