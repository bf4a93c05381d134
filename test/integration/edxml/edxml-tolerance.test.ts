import { expect } from 'chai';
import { zipSync } from 'fflate';
import { parseDocumentId } from '../../../services/domain/edxml/document-reference';
import { safeFileName } from '../../../services/domain/files/safe-file-name';
import { edxmlDocumentId } from '../../../services/edxml';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { attachment, envelope, responseFor, NS, type Parts } from '../../support/edxml-envelope';

/**
 * Issue 22 § 4, the tolerance of the wild, with hand-built envelopes: impossible dates anywhere are
 * 422 naming the element (never 500), ResponseFor goes by DocumentId first, undeclared attribute
 * prefixes are read past, file names go through the upload sanitiser, and a zipped edXML where the
 * PDF belongs is explained.
 */

describe('edXML tolerance of the wild (issue 22 § 4)', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let a: TestAgency;
  let b: TestAgency;
  let pdf: Buffer;
  let worker: WorkerProcess;
  /** A reference may name only a document the caller sent or received (delivered to it). */
  const delivered = (id: string) =>
    waitFor('delivered', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND delivered_at IS NOT NULL`, [id])).rowCount! > 0 || undefined, { timeoutMs: 90_000 });
  const post = async (key: string, xml: string) => {
    const res = await fetch(`${gw.baseUrl}/v1/edxml`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, body: xml });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** A document a sent to b through the API: its id, number, notation and issue date. */
  const sentByA = async () => {
    const r = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code], { notation: 'UBND-TH' }), pdf));
    expect(r.status).to.equal(202);
    await delivered(r.body.id);
    return (await gw.db.query(`SELECT id, number, notation, issued_on AS "issuedOn" FROM documents WHERE id = $1`, [r.body.id])).rows[0] as { id: string; number: string; notation: string; issuedOn: string };
  };

  before(async () => {
    gw = await startGateway();
    [a, b] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    pdf = await makePdf(1);
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('refuses an impossible or malformed date with 422 naming the element, never 500; a date inside an identifier is judged where the identifier is read', async () => {
    const business = (type: number) =>
      `<edXML:Bussiness><edXML:DocumentId>${a.code},2014/02/30,12/CV-THU</edXML:DocumentId><edXML:BussinessDocType>${type}</edXML:BussinessDocType><edXML:Paper>0</edXML:Paper></edXML:Bussiness>`;
    const cases: [string, Partial<Parts>, string][] = [
      ['revoke named by Bussiness/DocumentId 2014/02/30', { business: business(1) }, 'TraceHeaderList/Bussiness/DocumentId'],
      ['update named by Bussiness/DocumentId 2014/02/30', { business: business(2) }, 'TraceHeaderList/Bussiness/DocumentId'],
      ['PromulgationDate 2014/02/30', { promulgationDate: '2014/02/30' }, 'MessageHeader/PromulgationInfo/PromulgationDate'],
      ['PromulgationDate 30/02/2026', { promulgationDate: '30/02/2026' }, 'MessageHeader/PromulgationInfo/PromulgationDate'],
      ['PromulgationDate garbage', { promulgationDate: '2026/1x/01' }, 'MessageHeader/PromulgationInfo/PromulgationDate'],
      ['DueDate 31/04/2027', { dueDate: '31/04/2027' }, 'MessageHeader/DueDate'],
      ['TraceHeader/Timestamp month 13', { traceTimestamp: '2026/13/02 08:30:00' }, 'TraceHeaderList/TraceHeader/Timestamp'],
      ['TraceHeader/Timestamp 25 h', { traceTimestamp: '2026/11/02 25:30:00' }, 'TraceHeaderList/TraceHeader/Timestamp'],
      ['ResponseFor/PromulgationDate 2026/02/29', { responseFor: responseFor(a.code, '1/CV', '2026/02/29', null) }, 'MessageHeader/ResponseFor/PromulgationDate'],
      ['ResponseFor/DocumentId 2014/02/30 naming nothing else', { responseFor: responseFor(a.code, '1/KHONG-CO', null, `${a.code},2014/02/30,1/CV`) }, 'MessageHeader/ResponseFor/DocumentId'],
    ];
    for (const [what, parts, element] of cases) {
      const r = await post(a.apiKey, envelope({ from: a.code, to: [b.code], ...parts }, pdf));
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(r.body.error.code, what).to.equal('INVALID_EDXML');
      expect(r.body.error.details[0].element, what).to.equal(element);
      expect(r.body.error.message, what).to.contain(element);
    }
    // The SDK template's own new documents carry Bussiness/DocumentId 2014/02/30; a new document never reads it.
    const template = await post(a.apiKey, envelope({ from: a.code, to: [b.code], business: business(0) }, pdf));
    expect(template.status, JSON.stringify(template.body)).to.equal(202);
    const status = `<edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>${b.code}</OrganId><OrganName>x</OrganName></From>${responseFor(a.code, '1/CV', null, `${a.code},2014/02/30,1/CV`).replace(/edXML:/g, '')}<StatusCode>03</StatusCode><Timestamp>2026/11/02 08:00:00</Timestamp></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`;
    const st = await post(b.apiKey, status);
    expect(st.status, JSON.stringify(st.body)).to.equal(422);
    expect(st.body.error.details[0].element).to.equal('MessageHeader/ResponseFor/DocumentId');
    // Below the parser too: a reference's DocumentId with a date that does not exist names nothing (no SQL cast of it).
    expect(parseDocumentId(`${a.code},2014/02/30,1/CV`)).to.equal(undefined);
    expect(parseDocumentId(`${a.code},2014/2/3,1/CV`)).to.deep.equal({ organId: a.code, promulgationDate: '2014-02-03', code: '1/CV' });
  });

  it('matches ResponseFor by DocumentId first (a stale Code does not hide the document), then by organ + code + date', async () => {
    const d = await sentByA();
    const exactId = edxmlDocumentId(a.code, d.issuedOn, d.number, d.notation);
    const stale = await post(b.apiKey, envelope({ from: b.code, to: [a.code], responseFor: responseFor(a.code, '999/CU-SAI', null, exactId) }, pdf));
    expect(stale.status, JSON.stringify(stale.body)).to.equal(202);
    expect((await gw.db.query(`SELECT response_for AS r FROM documents WHERE id = $1`, [stale.body.id])).rows[0].r).to.equal(d.id);

    const byParts = await post(b.apiKey, envelope({ from: b.code, to: [a.code], responseFor: responseFor(a.code, `${d.number}/${d.notation}`, d.issuedOn.replace(/-/g, '/'), `${a.code},2020/01/01,1/KHONG-CO`) }, pdf));
    expect(byParts.status, JSON.stringify(byParts.body)).to.equal(202);
    expect((await gw.db.query(`SELECT response_for AS r FROM documents WHERE id = $1`, [byParts.body.id])).rows[0].r).to.equal(d.id);

    // A DocumentId whose date does not exist finds nothing; the organ + code + date still do.
    const badId = await post(b.apiKey, envelope({ from: b.code, to: [a.code], responseFor: responseFor(a.code, `${d.number}/${d.notation}`, null, `${a.code},2014/02/30,${d.number}/${d.notation}`) }, pdf));
    expect(badId.status, JSON.stringify(badId.body)).to.equal(202);
    expect((await gw.db.query(`SELECT response_for AS r FROM documents WHERE id = $1`, [badId.body.id])).rows[0].r).to.equal(d.id);

    // An envelope that arrived under a DocumentId of its own form is found by that exact id.
    const ownId = `${a.code},2026/11/02,HS-${Date.now()}`;
    const arrived = await post(a.apiKey, envelope({ from: a.code, to: [b.code], documentId: ownId }, pdf));
    expect(arrived.status, JSON.stringify(arrived.body)).to.equal(202);
    await delivered(arrived.body.id);
    const exact = await post(b.apiKey, envelope({ from: b.code, to: [a.code], responseFor: responseFor(a.code, '1/CU', null, ownId) }, pdf));
    expect(exact.status, JSON.stringify(exact.body)).to.equal(202);
    expect((await gw.db.query(`SELECT response_for AS r FROM documents WHERE id = $1`, [exact.body.id])).rows[0].r).to.equal(arrived.body.id);

    const neither = await post(b.apiKey, envelope({ from: b.code, to: [a.code], responseFor: responseFor(a.code, '1/KHONG-CO', null, `${a.code},2020/01/01,1/KHONG-CO`) }, pdf));
    expect(neither.status).to.equal(422);
    expect(neither.body.error.code).to.equal('UNKNOWN_REFERENCE');
  });

  it('reads attributes with an undeclared prefix (xlink:href) when the element is otherwise understood; an undeclared element prefix stays malformed', async () => {
    const xml = envelope({ from: a.code, to: [b.code], manifestAttrs: 'xlink:href="cid:1" xlink:type="simple"', attachments: attachment('cid:1', 'cong-van.pdf', 'application/pdf', pdf, 'xlink:href="cid:1"') }, pdf);
    expect(xml).not.to.contain('xmlns:xlink');
    const r = await post(a.apiKey, xml);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const bad = await post(a.apiKey, xml.replace('<edXML:Subject>', '<foo:Note>x</foo:Note><edXML:Subject>'));
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details[0].edxmlCode).to.equal('EDXML_MALFORMED');
    expect(bad.body.error.message).to.match(/Unbound namespace prefix/);
  });

  it('gives attachment names the same sanitiser as uploads', async () => {
    const hostile = '..\\..\\Windows\\system32\\Kế hoạch số 7\u202Efdp.exe\u200B.pdf';
    const expected = safeFileName(hostile, 'attachment-1');
    const viaEdxml = await post(a.apiKey, envelope({ from: a.code, to: [b.code], attachments: attachment('cid:1', hostile, 'application/pdf', pdf) }, pdf));
    expect(viaEdxml.status, JSON.stringify(viaEdxml.body)).to.equal(202);
    const viaUpload = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code]), pdf, hostile));
    expect(viaUpload.status).to.equal(202);
    const nameOf = async (id: string) => (await gw.db.query(`SELECT name FROM document_files WHERE document_id = $1 AND role = 'original'`, [id])).rows[0]?.name;
    expect(await nameOf(viaEdxml.body.id)).to.equal(expected);
    expect(await nameOf(viaUpload.body.id)).to.equal(expected);
    expect(expected).not.to.match(/[\\/\u202E\u200B]/);
    expect(expected, 'Vietnamese kept whole (uploads are read as UTF-8)').to.contain('Kế hoạch số 7');
  });

  it('explains in its 422 that the attachment is a zipped edXML, not a PDF (declared zip or not)', async () => {
    const inner = Buffer.from(envelope({ from: a.code, to: [b.code] }, pdf), 'utf8');
    const zip = Buffer.from(zipSync({ 'goi-van-ban.edxml': new Uint8Array(inner) }));
    for (const type of ['application/zip', 'application/octet-stream']) {
      const r = await post(a.apiKey, envelope({ from: a.code, to: [b.code], attachments: attachment('cid:1', 'goi.zip', type, zip) }, pdf));
      expect(r.status, type).to.equal(422);
      expect(r.body.error.code).to.equal('INVALID_FILE');
      expect(r.body.error.message).to.contain('"goi-van-ban.edxml" trong tệp nén "goi.zip" là một gói edXML');
      expect(r.body.error.details[0]).to.include({ reason: 'nested-edxml', attachment: 'goi-van-ban.edxml', archive: 'goi.zip' });
    }
    const bare = await post(a.apiKey, envelope({ from: a.code, to: [b.code], attachments: attachment('cid:1', 'goi.edxml', 'application/xml', inner) }, pdf));
    expect(bare.status).to.equal(422);
    expect(bare.body.error.details[0]).to.include({ reason: 'nested-edxml', attachment: 'goi.edxml', archive: null });
    const word = await post(a.apiKey, envelope({ from: a.code, to: [b.code], attachments: attachment('cid:1', 'van-ban.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from('not a pdf')) }, pdf));
    expect(word.status).to.equal(422);
    expect(word.body.error.details[0].reason).to.equal('no-pdf');
    expect(word.body.error.message).to.contain('"van-ban.docx"');
  });
});
