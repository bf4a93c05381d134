import { expect } from 'chai';
import { emitEdxmlDocument, emitEdxmlStatus, parseEdxml, type EdxmlDocument } from '../../../services/edxml';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf } from '../../support/pdf.fixture';
import { startPushReceiver } from '../../support/push-receiver';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const organ = (a: TestAgency) => ({ organId: a.code, organName: a.name });

// Each envelope its own number: a random one could repeat an earlier envelope's code (same sender,
// same date), which intake rightly takes for the same document (the revoked one, say), and the
// test then waited for a delivery that was never due (seen once in a full run).
let envelopes = 0;

function envelope(from: TestAgency, to: TestAgency[], pdf: Buffer, over: Partial<EdxmlDocument> = {}): EdxmlDocument {
  envelopes += 1;
  return {
    from: organ(from),
    to: to.map(organ),
    documentId: null,
    code: { number: String(100 + envelopes), notation: 'KH-UBND' },
    promulgation: { place: 'Buôn Ma Thuột', date: '2026-10-15' },
    documentType: { typeName: 'Kế hoạch' },
    subject: 'Kế hoạch cải cách hành chính năm 2027 — “một cửa” & liên thông',
    content: 'Tóm tắt nội dung',
    signer: { competence: 'KT.', position: 'PHÓ CHỦ TỊCH', fullName: 'Nguyễn Văn Ấn' },
    dueDate: '2026-12-31',
    otherInfo: { priority: 1 },
    responseFor: [],
    toPlaces: ['- Lưu: VT, TH.'],
    business: { businessDocType: 0, paper: 0 },
    traceHeaders: [{ organId: from.code, timestamp: '2026-10-15T08:00:00+07:00' }],
    attachments: [{ name: 'ke-hoach.pdf', contentType: 'application/pdf', bytes: pdf }],
    ...over,
  };
}

describe('edXML through the API (QCVN 102:2016)', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let a: TestAgency;
  let b: TestAgency;
  let pdf: Buffer;

  const postXml = async (key: string, xml: string, contentType = 'application/xml') => {
    const res = await fetch(`${gw.baseUrl}/v1/edxml`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body: xml });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const delivered = (id: string, n: number) =>
    // Generous: a busy machine (a whole suite beside it) took longer than the 30 s default once.
    waitFor('delivery', async () => (await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rows[0].n === n, { timeoutMs: 120_000 });

  before(async () => {
    gw = await startGateway();
    [sender, a, b] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    pdf = await makePdf(1);
    worker = spawnWorker();
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  it('when an agency system posts an edXML envelope, then it becomes a document like POST /v1/documents makes, and GET …/edxml gives it back with every field', async () => {
    const env = envelope(sender, [a, b], pdf);
    const posted = await postXml(sender.apiKey, emitEdxmlDocument(env));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const id = posted.body.id as string;
    await delivered(id, 2);
    const again = await postXml(sender.apiKey, emitEdxmlDocument(env));
    expect(again.status).to.equal(202);
    expect(again.body.id, 'idempotent by DocumentId').to.equal(id);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');

    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/edxml`, { headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/application\/xml/);
    const back = parseEdxml(await res.text());
    if (back.kind !== 'document') throw new Error('expected a document');
    const d = back.document;
    expect(d.from.organId).to.equal(sender.code);
    expect(d.to.map((t) => t.organId).sort()).to.deep.equal([a.code, b.code].sort());
    expect(d.code).to.deep.equal(env.code);
    expect(d.promulgation).to.deep.equal(env.promulgation);
    expect(d.subject).to.equal(env.subject);
    expect(d.signer).to.deep.equal(env.signer);
    expect(d.dueDate).to.equal('2026-12-31');
    expect(d.otherInfo.priority).to.equal(1);
    expect(d.documentType.typeName).to.equal('Kế hoạch');
    expect(d.documentId).to.equal(`${sender.code},2026/10/15,${env.code.number}/KH-UBND`);
    expect(d.attachments[0]!.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(d.attachments[0]!.bytes.includes(Buffer.from('/ETSI.CAdES.detached')), 'the signed PDF travels').to.equal(true);
  });

  it('when the envelope names another agency as sender, or is not XML, or carries a DTD, then it is refused with a clear error', async () => {
    const forged = await postXml(a.apiKey, emitEdxmlDocument(envelope(sender, [b], pdf)));
    expect(forged.status).to.equal(403);
    const garbage = await postXml(sender.apiKey, '<edXML><unclosed>');
    expect(garbage.status).to.equal(422);
    expect(garbage.body.error.code).to.equal('INVALID_EDXML');
    expect(garbage.body.error.details[0].edxmlCode).to.equal('EDXML_MALFORMED');
    const xxe = await postXml(sender.apiKey, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML>&e;</edXML>');
    expect(xxe.status).to.equal(422);
    expect(xxe.body.error.details[0].edxmlCode).to.equal('EDXML_FORBIDDEN_DTD');
    const json = await postXml(sender.apiKey, '{}', 'application/json');
    expect(json.status).to.equal(415);
  });

  it('when a recipient system posts status messages, then the dispatch moves (03 registers it), and an illegal one is refused with 409', async () => {
    const env = envelope(sender, [a], pdf);
    const posted = await postXml(sender.apiKey, emitEdxmlDocument(env));
    await delivered(posted.body.id, 1);
    const status = (code: string) =>
      emitEdxmlStatus({
        from: organ(a),
        responseFor: { organId: sender.code, code: `${env.code.number}/${env.code.notation}`, promulgationDate: env.promulgation.date, documentId: null },
        statusCode: code as '03',
        description: 'Đã vào sổ',
        timestamp: '2026-10-16T09:00:00+07:00',
      });
    const early = await postXml(a.apiKey, status('06'));
    expect(early.status).to.equal(409);
    const r = await postXml(a.apiKey, status('03'));
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.statuses[0]).to.include({ status: 'accepted' });
    expect(r.body.statuses[0].incomingNumber).to.match(/^\d{2,}$/);
  });

  it('when the sender posts a revocation (BussinessDocType 1), then every copy is revoked and stays in the inboxes marked with the reason', async () => {
    const env = envelope(sender, [a, b], pdf);
    const posted = await postXml(sender.apiKey, emitEdxmlDocument(env));
    await delivered(posted.body.id, 2);
    const revoke = envelope(sender, [a, b], pdf, {
      code: { number: env.code.number, notation: env.code.notation },
      business: { businessDocType: 1, businessDocReason: 'Ban hành nhầm', paper: 0 },
      responseFor: [{ organId: sender.code, code: `${env.code.number}/${env.code.notation}`, promulgationDate: env.promulgation.date, documentId: null }],
    });
    const r = await postXml(sender.apiKey, emitEdxmlDocument(revoke));
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.deep.equal({ id: posted.body.id, status: 'revoked', revokedDispatches: 2 });
    const inbox = await getJson(gw.baseUrl, '/v1/inbox', a.apiKey);
    expect(inbox.body.items.find((i: { documentId: string }) => i.documentId === posted.body.id)).to.include({ status: 'revoked', revokeReason: 'Ban hành nhầm' });
  });

  it('when the sender posts a replacement (3) and an update (2), then the new documents point at the old one and the replaced one is marked replaced', async () => {
    const env = envelope(sender, [a], pdf);
    const first = await postXml(sender.apiKey, emitEdxmlDocument(env));
    await delivered(first.body.id, 1);
    const ref = [{ organId: sender.code, code: `${env.code.number}/${env.code.notation}`, promulgationDate: env.promulgation.date, documentId: null }];
    const update = await postXml(
      sender.apiKey,
      emitEdxmlDocument(envelope(sender, [a], pdf, { code: { number: `${env.code.number}a`, notation: 'KH-UBND' }, business: { businessDocType: 2, paper: 0 }, responseFor: ref })),
    );
    expect(update.status, JSON.stringify(update.body)).to.equal(202);
    const replace = await postXml(
      sender.apiKey,
      emitEdxmlDocument(envelope(sender, [a], pdf, { code: { number: `${env.code.number}b`, notation: 'KH-UBND' }, business: { businessDocType: 3, paper: 0 }, responseFor: ref })),
    );
    expect(replace.status).to.equal(202);
    const rows = await gw.db.query(`SELECT id, status, business_type AS bt, response_for AS "responseFor" FROM documents WHERE id = ANY($1::uuid[])`, [
      [first.body.id, update.body.id, replace.body.id],
    ]);
    const byId = Object.fromEntries(rows.rows.map((r) => [r.id, r]));
    expect(byId[update.body.id]).to.include({ bt: 2, responseFor: first.body.id });
    expect(byId[replace.body.id]).to.include({ bt: 3, responseFor: first.body.id });
    expect(byId[first.body.id].status).to.equal('replaced');
    await delivered(replace.body.id, 1);
  });

  it('when a recipient agency takes pushes in edXML, then it receives an envelope it can parse, HMAC-signed', async () => {
    const secret = 'edxml-push-secret';
    const receiver = await startPushReceiver(secret, ['ok']);
    try {
      const [pushAgency] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: receiver.url, secret, pushFormat: 'edxml' })) as [TestAgency];
      const posted = await postXml(sender.apiKey, emitEdxmlDocument(envelope(sender, [pushAgency], pdf)));
      await delivered(posted.body.id, 1);
      const [got] = [...receiver.accepted.values()];
      expect(got!.signatureValid).to.equal(true);
      expect(got!.contentType).to.equal('application/xml');
      const parsed = parseEdxml(got!.raw);
      expect(parsed.kind).to.equal('document');
      if (parsed.kind === 'document') expect(parsed.document.to[0]!.organId).to.equal(pushAgency.code);
    } finally {
      await receiver.close();
    }
  });
});
