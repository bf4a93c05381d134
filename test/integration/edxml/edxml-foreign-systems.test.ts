import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { attachment, envelope, responseFor, statusEnvelope } from '../../support/edxml-envelope';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

/**
 * What other vendors' systems do that ours do not: a take-back refused for one copy, numbers
 * without their leading zeros, their own DocumentIds, annexes that are empty or of a type nothing
 * converts, a replacement sent while the replaced document is still on its way.
 */
describe('edXML from other systems: all or nothing, their identifiers, their annexes', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let a: TestAgency;
  let b: TestAgency;
  let c: TestAgency;
  let pdf: Buffer;
  let worker: WorkerProcess | undefined;
  let seq = 0;
  /** A number no other test of this run takes (the register refuses a number twice a year). */
  const nextNumber = () => String(7000 + (Date.now() % 1000) * 2 + ++seq);

  const post = async (key: string, xml: string | Buffer) => {
    const res = await fetch(`${gw.baseUrl}/v1/edxml`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, body: xml });
    return { status: res.status, body: (await res.json()) as any };
  };
  const allDelivered = (id: string, copies: number) =>
    waitFor('every copy delivered', async () => {
      const r = await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND delivered_at IS NOT NULL`, [id]);
      return r.rows[0].n === copies || undefined;
    }, { timeoutMs: 120_000 });
  const docRow = async (id: string) =>
    (await gw.db.query(`SELECT id, number, notation, issued_on AS "issuedOn", status FROM documents WHERE id = $1`, [id])).rows[0] as { id: string; number: string; notation: string; issuedOn: string; status: string };
  const timeline = async (documentId: string, recipient: string) =>
    (
      await gw.db.query(
        `SELECT x.status, x.pending_request AS "pendingRequest", array_agg(e.code ORDER BY e.id) AS codes
           FROM dispatches x LEFT JOIN dispatch_events e ON e.dispatch_id = x.id
          WHERE x.document_id = $1 AND x.recipient_code = $2 GROUP BY x.id`,
        [documentId, recipient],
      )
    ).rows[0] as { status: string; pendingRequest: string | null; codes: string[] };
  const ensureWorker = () => (worker ??= spawnWorker());

  before(async () => {
    gw = await startGateway();
    [a, b, c] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    pdf = await makePdf(1);
  });
  after(async () => {
    await worker?.stop();
    await gw.close();
  });

  it('when a replacement (BussinessDocType 3) names a document still in the pipeline, then 409 and nothing written; once it has gone out, the replacement is taken and the document is replaced, again on a replay', async () => {
    // No worker yet: the document stays `accepted`.
    const sent = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code], { notation: 'UBND-TT' }), pdf));
    expect(sent.status).to.equal(202);
    const d = await docRow(sent.body.id);
    expect(d.status).to.equal('accepted');
    const number = nextNumber();
    const business = `<edXML:Bussiness><edXML:BussinessDocType>3</edXML:BussinessDocType><edXML:BussinessDocReason>Thay thế do sai sót</edXML:BussinessDocReason><edXML:Paper>0</edXML:Paper></edXML:Bussiness>`;
    const replacement = envelope({ from: a.code, to: [b.code], number, business, responseFor: responseFor(a.code, `${d.number}/${d.notation}`, d.issuedOn.replace(/-/g, '/'), null) }, pdf);
    const early = await post(a.apiKey, replacement);
    expect(early.status, JSON.stringify(early.body)).to.equal(409);
    expect(early.body.error.code).to.equal('CONFLICT');
    expect(early.body.error.message).to.contain('đang được xử lý');
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1 AND number = $2`, [a.code, number])).rows[0].n, 'nothing written').to.equal(0);

    ensureWorker();
    await allDelivered(d.id, 1);
    await waitFor('routed', async () => (await docRow(d.id)).status === 'routed' || undefined, { timeoutMs: 60_000 });
    const later = await post(a.apiKey, replacement);
    expect(later.status, JSON.stringify(later.body)).to.equal(202);
    expect((await docRow(d.id)).status).to.equal('replaced');

    // A first attempt that stopped between taking the replacement and marking the document is completed by its replay.
    await gw.db.query(`UPDATE documents SET status = 'routed' WHERE id = $1`, [d.id]);
    const replay = await post(a.apiKey, replacement);
    expect(replay.status, JSON.stringify(replay.body)).to.equal(202);
    expect(replay.body.id).to.equal(later.body.id);
    expect((await docRow(d.id)).status).to.equal('replaced');
  });

  it("when a sender's take-back (13) cannot move one copy, then it is refused and no copy moved, whatever the order of the copies; when every copy can move, every copy moves", async () => {
    ensureWorker();
    const sentTo = async () => {
      const r = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code, c.code], { notation: 'UBND-TB' }), pdf));
      expect(r.status).to.equal(202);
      await allDelivered(r.body.id, 2);
      return docRow(r.body.id);
    };
    const refOf = (d: { number: string; notation: string; issuedOn: string }) => responseFor(a.code, `${d.number}/${d.notation}`, d.issuedOn.replace(/-/g, '/'), null);

    const d = await sentTo();
    // c registers its copy (03) and completes it (06): a completed copy cannot be taken back.
    for (const code of ['03', '06']) {
      const r = await post(c.apiKey, statusEnvelope(c.code, refOf(d), code));
      expect(r.status, `${code}: ${JSON.stringify(r.body)}`).to.be.below(300);
    }
    const before = await timeline(d.id, b.code);
    for (let i = 0; i < 2; i++) {
      const r = await post(a.apiKey, statusEnvelope(a.code, refOf(d), '13'));
      expect(r.status, JSON.stringify(r.body)).to.equal(409);
      expect(r.body.error.code).to.equal('CONFLICT');
      expect(await timeline(d.id, b.code), "b's copy untouched").to.deep.equal(before);
    }
    expect(before.pendingRequest).to.equal(null);

    const e = await sentTo();
    const r = await post(a.apiKey, statusEnvelope(a.code, refOf(e), '13'));
    expect(r.status, JSON.stringify(r.body)).to.be.below(300);
    for (const x of [b, c]) {
      const t = await timeline(e.id, x.code);
      expect(t.pendingRequest, x.code).to.equal('takeback');
      expect(t.codes, x.code).to.include('13');
    }
  });

  it('when a status names the document by a number without its leading zero, then it finds the document as the register counts numbers', async () => {
    ensureWorker();
    const number = `0${nextNumber()}`;
    const sent = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code], { notation: 'UBND-VP', number }), pdf));
    expect(sent.status, JSON.stringify(sent.body)).to.equal(202);
    await allDelivered(sent.body.id, 1);
    const d = await docRow(sent.body.id);
    expect(d.number).to.equal(number);
    const r = await post(b.apiKey, statusEnvelope(b.code, responseFor(a.code, `${Number(number)}/${d.notation}`, null, null), '03'));
    expect(r.status, JSON.stringify(r.body)).to.be.below(300);
    expect((await timeline(d.id, b.code)).codes).to.include('03');
  });

  it("when a document arrives under the sender's own DocumentId, then the recipients' envelopes carry that id, not one rebuilt from its parts", async () => {
    ensureWorker();
    const number = nextNumber();
    const ownId = `${a.code},2026/11/18,${number}/CV-THU`;
    const r = await post(a.apiKey, envelope({ from: a.code, to: [b.code], number, documentId: ownId, promulgationDate: '2026/11/20' }, pdf));
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await allDelivered(r.body.id, 1);
    const res = await fetch(`${gw.baseUrl}/v1/documents/${r.body.id}/edxml`, { headers: { authorization: `Bearer ${b.apiKey}` } });
    expect(res.status).to.equal(200);
    const xml = await res.text();
    expect(xml).to.contain(`DocumentId>${ownId}</`);
    expect(xml).not.to.contain(`${a.code},2026/11/20,${number}/CV-THU`);
  });

  it('when an annex is empty, then 422 names it and nothing is written', async () => {
    const number = nextNumber();
    const attachments = attachment('cid:1', 'cong-van.pdf', 'application/pdf', pdf) + attachment('cid:2', 'phu-luc-trong.pdf', 'application/pdf', Buffer.alloc(0));
    const r = await post(a.apiKey, envelope({ from: a.code, to: [b.code], number, attachments }, pdf));
    expect(r.status, JSON.stringify(r.body)).to.equal(422);
    expect(r.body.error.code).to.equal('INVALID_FILE');
    expect(r.body.error.message).to.contain('phu-luc-trong.pdf');
    expect(r.body.error.details[0].path).to.equal('attachments[0]');
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1 AND number = $2`, [a.code, number])).rows[0].n).to.equal(0);
  });

  it('when an annex is of a type nothing converts (a legacy Word .doc), then the document goes out and the annex travels as it arrived', async () => {
    ensureWorker();
    // The head of a legacy Office (OLE2 compound) file, then filler: what a .doc annex starts with.
    const doc = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2040, 0x20)]);
    const attachments = attachment('cid:1', 'cong-van.pdf', 'application/pdf', pdf) + attachment('cid:2', 'du-toan.doc', 'application/msword', doc);
    const r = await post(a.apiKey, envelope({ from: a.code, to: [b.code], attachments }, pdf));
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await allDelivered(r.body.id, 1);
    expect((await docRow(r.body.id)).status).to.equal('routed');
    const res = await fetch(`${gw.baseUrl}/v1/documents/${r.body.id}/files/attachment-1`, { headers: { authorization: `Bearer ${b.apiKey}` } });
    expect(res.status).to.equal(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(doc), 'the same bytes').to.equal(true);
  });
});
