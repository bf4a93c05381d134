import { expect } from 'chai';
import { AxisClient, AxisError, axisSettings } from '../../../services/axis/axis-client';
import { sendDocumentToAxis } from '../../../services/axis/axis-outbound';
import { startAxisPoller } from '../../../services/axis/axis-poller';
import { loadConfig } from '../../../services/config/config';
import { logger } from '../../../services/logging/logger';
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
    const xml = envelopeFrom(r1, [a], pdf, `7${Math.floor(Math.random() * 900 + 100)}`);
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

  it('sends an envelope through the axis, and records the status message the axis brings back', async () => {
    const sent = await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([r1.code102], { notation: 'UBND-VP' }), pdf));
    expect(sent.status).to.equal(202);
    const id = sent.body.id as string;
    await waitFor('routed', async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rowCount === 1 || undefined, { timeoutMs: 90_000 });
    const axisId = await sendDocumentToAxis(gw.db, new AxisClient(settings()), id, [r1.code102]);
    const out = sim.sent.find((s) => s.docId === axisId)!;
    expect(out).to.include({ from: a.code, messageType: 'edoc', systemId: SYSTEM });
    expect(out.to).to.deep.equal([r1.code102]);
    const envelope = parseEdxml(out.edxml);
    expect(envelope.kind).to.equal('document');
    if (envelope.kind === 'document') expect(envelope.document.attachments[0]!.bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    const doc = (await gw.db.query(`SELECT number, notation, issued_on AS "issuedOn" FROM documents WHERE id = $1`, [id])).rows[0];
    const status = emitEdxmlStatus({
      from: { organId: r1.code102, organName: r1.name },
      responseFor: { organId: a.code, code: `${doc.number}/${doc.notation}`, promulgationDate: doc.issuedOn, documentId: null },
      statusCode: '03', description: 'Đã tiếp nhận qua trục', timestamp: '2026-11-21T10:00:00+07:00',
    });
    const statusId = sim.queue(SYSTEM, status, { from: r1.code102, to: a.code, messageType: 'status' });
    await waitFor('the status recorded', async () =>
      (await gw.db.query(`SELECT 1 FROM dispatch_events e JOIN dispatches x ON x.id = e.dispatch_id WHERE x.document_id = $1 AND e.code = '03' AND e.actor = $2`, [id, `axis:${SYSTEM}`])).rowCount === 1 || undefined,
    { timeoutMs: 60_000 });
    expect(sim.statusUpdates.find((u) => u.docId === statusId)?.status).to.equal('done');
    // A status from the axis is not echoed back to it.
    expect(sentStatuses().filter((s) => s.responseFor.organId === a.code)).to.have.length(0);
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
    expect((await gw.db.query(`SELECT failures FROM axis_state WHERE id = 1`)).rows[0].failures).to.equal(0);
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
});
