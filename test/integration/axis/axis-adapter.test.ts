import { expect } from 'chai';
import { AxisClient, AxisError, axisSettings } from '../../../services/axis/axis-client';
import { axisCommand } from '../../../services/cli/commands/axis.command';
import { sendDocumentToAxis } from '../../../services/axis/axis-outbound';
import { startAxisPoller } from '../../../services/axis/axis-poller';
import { loadConfig } from '../../../services/config/config';
import { logger } from '../../../services/logging/logger';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { emitEdxmlDocument, emitEdxmlStatus, parseEdxml, type EdxmlDocument } from '../../../services/edxml';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startAxisSimulator, type AxisSimulator, type SimAgency } from '../../support/axis-simulator';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const SYSTEM = 'lienthong.test.hub';
const SECRET = 'bí-mật-của-trục-0123456789';

function envelopeFrom(sender: SimAgency & { code102: string }, to: TestAgency[], pdf: Buffer, number: string): string {
  const doc: EdxmlDocument = {
    from: { organId: sender.code102, organName: sender.name },
    to: to.map((t) => ({ organId: t.code, organName: t.name })),
    documentId: `${sender.code102},2026/11/20,${number}/BTN-VP`,
    code: { number, notation: 'BTN-VP' },
    promulgation: { place: 'Hà Nội', date: '2026-11-20' },
    documentType: { typeName: 'Công văn' },
    subject: 'Về việc phối hợp trao đổi văn bản điện tử qua trục liên thông',
    signer: { competence: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Trần Văn Trục' },
    otherInfo: { priority: 0 },
    responseFor: [],
    toPlaces: [],
    business: { businessDocType: 0, paper: 0 },
    traceHeaders: [{ organId: sender.code102, timestamp: '2026-11-20T09:00:00+07:00' }],
    attachments: [{ name: 'cong-van.pdf', contentType: 'application/pdf', bytes: pdf }],
  };
  return emitEdxmlDocument(doc);
}

describe('national axis adapter against the axis simulator', function () {
  this.timeout(180_000);
  let sim: AxisSimulator;
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let a: TestAgency;
  let r1: SimAgency & { code102: string };
  let r2: SimAgency;
  let pdf: Buffer;
  const tag = uniqueTag(3);
  const settings = () => axisSettings({ ...loadConfig(), LIENTHONG_AXIS_URL: sim.baseUrl, LIENTHONG_AXIS_SYSTEM_ID: SYSTEM, LIENTHONG_AXIS_SECRET: SECRET })!;
  const agency = async (code: string) =>
    (await gw.db.query(`SELECT code, name, alt_code AS "altCode", reached_via AS "reachedVia", last_seen_at AS "lastSeenAt" FROM agencies WHERE code = $1`, [code])).rows[0];
  const sentStatuses = () =>
    sim.sent.filter((s) => s.messageType === 'status').map((s) => {
      const m = parseEdxml(s.edxml);
      if (m.kind !== 'status') throw new Error('a status message was expected');
      return { ...m.status, to: s.to };
    });

  before(async () => {
    sim = await startAxisSimulator({ [SYSTEM]: SECRET });
    gw = await startGateway();
    [a] = (await createAgencies(gw.db, 1)) as [TestAgency];
    r1 = { id: '1', code: `G22.${tag}.01`, code102: `000.${tag}.01.G22`, name: 'Văn phòng Bộ Thử nghiệm' };
    r2 = { id: '2', code: `H41.${tag}`, code102: null, name: 'Ủy ban nhân dân tỉnh Thử' };
    sim.agencies.push(r1, r2, { id: '3', code: 'mã xấu', code102: null, name: 'Không hợp lệ' });
    pdf = await makePdf(1, 'Cong van qua truc lien thong');
    await gw.db.query(`UPDATE axis_state SET last_sync_at = NULL, lease_holder = NULL, lease_until = NULL, failures = 0, last_error = NULL WHERE id = 1`);
    worker = spawnWorker({ LIENTHONG_AXIS_URL: sim.baseUrl, LIENTHONG_AXIS_SYSTEM_ID: SYSTEM, LIENTHONG_AXIS_SECRET: SECRET, LIENTHONG_AXIS_POLL_MS: '300' });
  });
  after(async () => {
    await worker?.stop();
    await gw.close();
    await sim.close();
  });

  it('synchronises the directory: both code forms, reached through the axis, last seen; bad codes skipped', async () => {
    const row = await waitFor('the axis directory', async () => agency(r1.code102), { timeoutMs: 60_000 });
    expect(row).to.include({ name: r1.name, altCode: r1.code, reachedVia: 'axis' });
    expect(row.lastSeenAt).to.be.instanceOf(Date);
    expect(await agency(r2.code)).to.include({ altCode: null, reachedVia: 'axis' });
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM agencies WHERE name = 'Không hợp lệ'`)).rows[0].n).to.equal(0);
    const listed = await getJson(gw.baseUrl, '/v1/agencies', a.apiKey);
    const mine = listed.body.agencies.find((x: { code: string }) => x.code === a.code);
    const remote = listed.body.agencies.find((x: { code: string }) => x.code === r1.code102);
    expect(mine).to.include({ reachedVia: 'local', peerId: null, altCode: null, lastSeenAt: null });
    expect(remote).to.include({ reachedVia: 'axis', altCode: r1.code });
    expect(remote.lastSeenAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('polls with duplicates: the same envelope twice makes one document, both acknowledged; a misaddressed one is refused', async () => {
    // Addressed to our agency and to one elsewhere in the country (the axis hands every hub the same envelope).
    const xml = envelopeFrom(r1, [a, { code: r2.code, name: r2.name, apiKey: '' }], pdf, `7${Math.floor(Math.random() * 900 + 100)}`);
    const first = sim.queue(SYSTEM, xml, { from: r1.code102, to: a.code });
    const second = sim.queue(SYSTEM, xml, { from: r1.code102, to: a.code });
    const stray = sim.queue(SYSTEM, envelopeFrom(r1, [{ code: `NO.${tag}.X`, name: 'Không có', apiKey: '' }], pdf, '99'), { from: r1.code102, to: `NO.${tag}.X` });
    await waitFor('the axis told about all three', async () => [first, second, stray].every((id) => sim.statusUpdates.some((u) => u.docId === id)) || undefined, { timeoutMs: 60_000 });
    const told = (id: string) => sim.statusUpdates.filter((u) => u.docId === id).map((u) => u.status);
    expect(told(first)).to.deep.equal(['done']);
    expect(told(second)).to.deep.equal(['done']);
    expect(told(stray)).to.deep.equal(['fail']);
    const rows = (await gw.db.query(`SELECT axis_doc_id AS id, outcome, document_id AS "documentId", detail FROM axis_received WHERE axis_doc_id = ANY($1)`, [[first, second, stray]])).rows;
    expect(rows.map((r) => r.outcome).sort()).to.deep.equal(['accepted', 'duplicate', 'refused']);
    expect(rows.find((r) => r.id === stray).detail).to.match(/UNKNOWN_RECIPIENT/);
    const docs = (await gw.db.query(`SELECT id FROM documents WHERE sender_code = $1`, [r1.code102])).rows;
    expect(docs).to.have.length(1);
    const copies = (await gw.db.query(`SELECT recipient_code AS code FROM dispatches WHERE document_id = $1`, [docs[0].id])).rows.map((r) => r.code);
    expect(copies, 'a copy only for the agency served here').to.deep.equal([a.code]);
    expect(rows.filter((r) => r.documentId).every((r) => r.documentId === docs[0].id)).to.equal(true);
    // The document goes through the pipeline (no signing here: it was signed at its sender) to the local recipient.
    await waitFor('delivered to the local agency', async () =>
      (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND recipient_code = $2 AND status = 'delivered'`, [docs[0].id, a.code])).rowCount === 1 || undefined,
    { timeoutMs: 90_000 });
  });

  it('sends the statuses back through the axis: 01 on arrival, 03 when the clerk registers it', async () => {
    const arrived = await waitFor('status 01 sent back', async () => sentStatuses().find((s) => s.statusCode === '01' && s.from.organId === a.code), { timeoutMs: 60_000 });
    expect(arrived.responseFor.organId).to.equal(r1.code102);
    expect(arrived.to).to.deep.equal([r1.code102]);
    const dispatch = (await gw.db.query(`SELECT x.id FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE d.sender_code = $1 AND x.recipient_code = $2`, [r1.code102, a.code])).rows[0];
    const res = await fetch(`${gw.baseUrl}/v1/inbox/${dispatch.id}/status`, {
      method: 'POST', headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ code: '03', note: 'Đã vào sổ' }),
    });
    expect(res.status).to.equal(200);
    const registered = await waitFor('status 03 sent back', async () => sentStatuses().find((s) => s.statusCode === '03'), { timeoutMs: 60_000 });
    expect(registered.description).to.equal('Đã vào sổ');
    expect(sentStatuses().filter((s) => s.statusCode === '01')).to.have.length(1);
  });

  it('records a status message the axis brings (13 from the remote sender) and sends the local answer back', async () => {
    const doc = (await gw.db.query(`SELECT d.id, d.number, d.notation, d.issued_on AS "issuedOn", x.id AS "dispatchId" FROM documents d JOIN dispatches x ON x.document_id = d.id WHERE d.sender_code = $1 AND x.recipient_code = $2`, [r1.code102, a.code])).rows[0];
    const status = emitEdxmlStatus({
      from: { organId: r1.code102, organName: r1.name },
      responseFor: { organId: r1.code102, code: `${doc.number}/${doc.notation}`, promulgationDate: doc.issuedOn, documentId: null },
      statusCode: '13', description: 'Xin lấy lại để sửa trích yếu', timestamp: '2026-11-21T10:00:00+07:00',
    });
    const statusId = sim.queue(SYSTEM, status, { from: r1.code102, to: a.code, messageType: 'status' });
    await waitFor('the take-back recorded', async () =>
      (await gw.db.query(`SELECT 1 FROM dispatch_events WHERE dispatch_id = $1 AND code = '13' AND actor = $2`, [doc.dispatchId, `axis:${SYSTEM}`])).rowCount === 1 || undefined,
    { timeoutMs: 60_000 });
    // The axis is told 'done' after the status is recorded: wait for that too, not race it.
    const update = await waitFor('the axis told done', async () => sim.statusUpdates.find((u) => u.docId === statusId), { timeoutMs: 60_000, recheckMs: 200 });
    expect(update.status).to.equal('done');
    const res = await fetch(`${gw.baseUrl}/v1/inbox/${doc.dispatchId}/status`, {
      method: 'POST', headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ code: '16', note: 'Đã xử lý, không trả lại' }),
    });
    expect(res.status).to.equal(200);
    const answer = await waitFor('16 sent back', async () => sentStatuses().find((s) => s.statusCode === '16'), { timeoutMs: 60_000 });
    expect(answer.responseFor.organId).to.equal(r1.code102);
    // A status that came from the axis is not echoed back to it.
    expect(sentStatuses().filter((s) => s.statusCode === '13')).to.have.length(0);
  });

  it('routes a copy to an agency known through the axis: the envelope goes to the axis addressed to it, the dispatch is delivered under the delivery rules, and the agency\'s 03 comes back on its timeline', async () => {
    const sent = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([r1.code102], { notation: 'UBND-TRUC' }), pdf));
    expect(sent.status, JSON.stringify(sent.body)).to.equal(202);
    const id = sent.body.id as string;
    const x = await waitFor('the copy delivered through the axis', async () =>
      (await gw.db.query(`SELECT id, channel, incoming_number AS "incomingNumber" FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rows[0],
    { timeoutMs: 90_000 });
    expect(x.channel).to.equal('axis');
    const doc = (await gw.db.query(`SELECT number, notation, issued_on::text AS "issuedOn" FROM documents WHERE id = $1`, [id])).rows[0];
    const out = sim.sent.filter((m) => m.messageType === 'edoc' && m.to.includes(r1.code102)).map((m) => ({ m, e: parseEdxml(m.edxml) }))
      .find(({ e }) => e.kind === 'document' && e.document.code.notation === 'UBND-TRUC' && e.document.code.number === doc.number);
    expect(out, 'the envelope reached the axis addressed to the agency').to.not.equal(undefined);
    expect(out!.m).to.include({ from: a.code, systemId: SYSTEM });
    if (out!.e.kind !== 'document') throw new Error('a document envelope was expected');
    expect(out!.e.document.attachments[0]!.bytes.includes(Buffer.from('/ETSI.CAdES.detached')), 'the signed PDF travels').to.equal(true);
    const attempts = await gw.db.query(`SELECT count(*)::int AS n FROM dispatch_attempts WHERE dispatch_id = $1`, [x.id]);
    expect(attempts.rows[0].n, 'the attempt is recorded like a push').to.be.at.least(1);
    // The axis agency registers it at its end: its 03 comes back through the axis onto our timeline.
    const status = emitEdxmlStatus({
      from: { organId: r1.code102, organName: r1.name },
      responseFor: { organId: a.code, code: `${doc.number}/${doc.notation}`, promulgationDate: doc.issuedOn, documentId: out!.e.document.documentId },
      statusCode: '03', description: 'Đã vào sổ', timestamp: '2026-12-04T10:00:00+07:00',
    });
    sim.queue(SYSTEM, status, { from: r1.code102, to: a.code, messageType: 'status' });
    await waitFor('the 03 recorded', async () =>
      (await gw.db.query(`SELECT 1 FROM dispatch_events WHERE dispatch_id = $1 AND code = '03'`, [x.id])).rowCount === 1 || undefined,
    { timeoutMs: 60_000 });
    // Registered in the recipient's own books, not in ours.
    const after = (await gw.db.query(`SELECT status, incoming_number AS "incomingNumber" FROM dispatches WHERE id = $1`, [x.id])).rows[0];
    expect(after).to.deep.equal({ status: 'accepted', incomingNumber: null });
    // The sender revokes: the 13 goes to the agency through the axis, with the reason.
    const revoked = await fetch(`${gw.baseUrl}/v1/documents/${id}/revoke`, {
      method: 'POST', headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Gửi nhầm nơi nhận' }),
    });
    expect(revoked.status).to.equal(200);
    const thirteen = await waitFor('the 13 sent through the axis', async () =>
      sim.sent.filter((m) => m.messageType === 'status' && m.to.includes(r1.code102)).map((m) => parseEdxml(m.edxml))
        .find((m) => m.kind === 'status' && m.status.statusCode === '13' && m.status.responseFor.code === `${doc.number}/${doc.notation}`),
    { timeoutMs: 60_000, recheckMs: 200 });
    if (thirteen.kind !== 'status') throw new Error('a status message was expected');
    expect(thirteen.status.from.organId).to.equal(a.code);
    expect(thirteen.status.description ?? '').to.contain('Gửi nhầm nơi nhận');
  });

  it('sends an envelope with the adapter\'s send function alone (no routing)', async () => {
    const [b] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
    const sent = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([b.code], { notation: 'UBND-VP' }), pdf));
    expect(sent.status).to.equal(202);
    const id = sent.body.id as string;
    await waitFor('signed and routed', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rowCount === 1 || undefined, { timeoutMs: 90_000 });
    const axisId = await sendDocumentToAxis(gw.db, new AxisClient(settings()), id, [r1.code102]);
    const out = sim.sent.find((m) => m.docId === axisId)!;
    expect(out).to.include({ from: a.code, messageType: 'edoc', systemId: SYSTEM });
    expect(out.to).to.deep.equal([r1.code102]);
  });

  it('leaves documents of axis senders out of the province\'s e-document figures', async () => {
    const monitor = await createApiKey(gw.db, a.code, 'monitor', ['monitor']);
    const r = await getJson(gw.baseUrl, '/v1/stats/edoc-rate?from=2026-11-01&to=2026-11-30&groupBy=agency', monitor.key);
    expect(r.status).to.equal(200);
    const keys = (r.body.groups as { key: string }[]).map((g) => g.key);
    expect(keys).not.to.include(r1.code102);
    // The document is there all the same, delivered to the local agency.
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1 AND issued_on = '2026-11-20'`, [r1.code102])).rows[0].n).to.be.greaterThan(0);
  });

  it('applies renames and additions at the next directory sync', async () => {
    sim.agencies[0]!.name = 'Văn phòng Bộ Thử nghiệm và Đổi mới';
    sim.agencies.push({ id: '4', code: `G23.${tag}`, code102: `000.${tag}.02.G23`, name: 'Bộ Mới' });
    await gw.db.query(`UPDATE axis_state SET last_sync_at = NULL WHERE id = 1`);
    await waitFor('the rename applied', async () => (await agency(r1.code102))?.name === 'Văn phòng Bộ Thử nghiệm và Đổi mới' || undefined, { timeoutMs: 60_000 });
    expect(await agency(`000.${tag}.02.G23`)).to.include({ altCode: `G23.${tag}`, reachedVia: 'axis' });
  });

  it('backs off while the axis is down and loses nothing when it returns', async () => {
    sim.down = true;
    const xml = envelopeFrom(r1, [a], pdf, `8${Math.floor(Math.random() * 900 + 100)}`);
    const queued = sim.queue(SYSTEM, xml, { from: r1.code102, to: a.code });
    const state = await waitFor('two failed polls recorded', async () => {
      const s = (await gw.db.query(`SELECT failures, last_error AS "lastError" FROM axis_state WHERE id = 1`)).rows[0];
      return s.failures >= 2 ? s : undefined;
    }, { timeoutMs: 60_000, recheckMs: 200 });
    expect(state.lastError).to.match(/HTTP 503/);
    sim.down = false;
    await waitFor('the queued envelope handled', async () => sim.statusUpdates.some((u) => u.docId === queued && u.status === 'done') || undefined, { timeoutMs: 90_000 });
    // The cycle that took it ends with the failure count back at 0.
    await waitFor('the poll succeeding again', async () => (await gw.db.query(`SELECT failures FROM axis_state WHERE id = 1`)).rows[0].failures === 0 || undefined, { timeoutMs: 60_000, recheckMs: 200 });
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [r1.code102])).rows[0].n).to.equal(2);
  });

  it('reports an authentication failure clearly (client and poller)', async () => {
    await worker!.stop();
    worker = undefined;
    const bad = new AxisClient({ ...settings(), secret: 'not-the-secret' });
    const err = await bad.listReceived('edoc').then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(AxisError);
    expect((err as AxisError).kind).to.equal('auth');
    expect((err as AxisError).message).to.match(/từ chối xác thực hệ thống lienthong\.test\.hub \(HTTP 401.*bad signature.*LIENTHONG_AXIS_SECRET/);
    expect(sim.authFailures.at(-1)).to.deep.equal({ operation: 'getReceivedEdocList', reason: 'bad signature' });
    const poller = startAxisPoller(gw.db, { ...settings(), secret: 'not-the-secret', pollMs: 200 }, { maxRecipients: 100, futureSkewDays: 1, maxInputBytes: 10_000_000 }, logger('axis-test'));
    try {
      const s = await waitFor('the poller records the refusal', async () => {
        const row = (await gw.db.query(`SELECT last_error AS "lastError", failures FROM axis_state WHERE id = 1`)).rows[0];
        return row.failures >= 1 && /xác thực/.test(row.lastError ?? '') ? row : undefined;
      }, { timeoutMs: 30_000, recheckMs: 200 });
      expect(s.lastError).to.match(/LIENTHONG_AXIS_SYSTEM_ID và LIENTHONG_AXIS_SECRET/);
    } finally {
      await poller.stop();
    }
  });

  it('lets the operator see the state and synchronise now (lienthong axis status | axis sync)', async () => {
    const printed: unknown[] = [];
    const config = { ...loadConfig(), LIENTHONG_AXIS_URL: sim.baseUrl, LIENTHONG_AXIS_SYSTEM_ID: SYSTEM, LIENTHONG_AXIS_SECRET: SECRET };
    const ctx = { db: gw.db, config, json: true, out: (v: unknown) => printed.push(v) };
    await axisCommand(['status'], ctx);
    const status = printed.pop() as { configured: boolean; failures: number; lastError: string; received: Record<string, number>; agencies: number; lastRefused: { detail: string }[] };
    expect(status.configured).to.equal(true);
    expect(status.failures, 'the bad secret of the previous test').to.be.greaterThan(0);
    expect(status.lastError).to.match(/xác thực/);
    expect(status.received.accepted).to.be.greaterThan(1);
    expect(status.received.duplicate).to.be.greaterThan(0);
    expect(status.agencies).to.be.greaterThan(2);
    expect(status.lastRefused.some((r) => /UNKNOWN_RECIPIENT/.test(r.detail))).to.equal(true);
    sim.agencies[1]!.name = 'Ủy ban nhân dân tỉnh Thử (đổi tên)';
    await axisCommand(['sync'], ctx);
    expect(printed.pop()).to.include({ renamed: 1 });
    expect((await agency(r2.code)).name).to.equal('Ủy ban nhân dân tỉnh Thử (đổi tên)');
  });
});
