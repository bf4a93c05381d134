import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';
import { ASIC_E_MIMETYPE, MANIFEST_PATH, SEAL_PATH } from '../../../services/evidence/evidence-parts';
import { verifyEvidenceBundle } from '../../../services/evidence/evidence-verify';
import { startDevTsa } from '../../../services/domain/pki/dev-tsa';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { withOneByteChanged, zipParts } from '../../support/evidence-zip';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const BIN = path.join(projectRoot(), 'bin', 'lienthong');

/** `lienthong evidence verify` with no database and no network configured at all. */
function verifyCli(file: string, caFile: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'REDIS_URL' && !k.startsWith('LIENTHONG_')));
  const r = spawnSync(process.execPath, [BIN, 'evidence', 'verify', file, '--trust', caFile], { env: { ...env, LIENTHONG_DATA_DIR: '/nonexistent-lienthong' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

async function post(baseUrl: string, p: string, apiKey: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${p}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('evidence bundle: GET /v1/documents/:id/evidence and `lienthong evidence verify`, offline', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let tsa: http.Server;
  let sender: TestAgency;
  let registers: TestAgency;
  let refuses: TestAgency;
  let outsider: TestAgency;
  let dir: string;
  let caFile: string;
  let docId: string;
  let bundle: string;

  async function sendAndDeliver(to: TestAgency[], notation: string): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to.map((a) => a.code), { notation }), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const id = posted.body.id as string;
    await waitFor('delivery', async () => (await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rows[0].n === to.length, { timeoutMs: 90_000 });
    return id;
  }
  async function dispatchOf(id: string, recipient: TestAgency): Promise<string> {
    return (await gw.db.query(`SELECT id FROM dispatches WHERE document_id = $1 AND recipient_code = $2`, [id, recipient.code])).rows[0].id;
  }
  async function download(id: string, apiKey: string, name: string): Promise<string> {
    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/evidence`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status, await res.clone().text().catch(() => '')).to.equal(200);
    expect(res.headers.get('content-type')).to.contain(ASIC_E_MIMETYPE);
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-evidence-'));
    const boot = await startGateway();
    const t = await startDevTsa(boot.db, loadConfig().masterKey, true);
    await boot.close();
    tsa = t.server;
    gw = await startGateway({ LIENTHONG_TSA_URL: t.url });
    worker = spawnWorker({ LIENTHONG_TSA_URL: t.url });
    [sender, registers, refuses, outsider] = (await createAgencies(gw.db, 4)) as [TestAgency, TestAgency, TestAgency, TestAgency];
    caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem);

    docId = await sendAndDeliver([registers, refuses], 'UBND-BC');
    expect((await post(gw.baseUrl, `/v1/inbox/${await dispatchOf(docId, registers)}/status`, registers.apiKey, { code: '03' })).status).to.equal(200);
    expect((await post(gw.baseUrl, `/v1/inbox/${await dispatchOf(docId, refuses)}/status`, refuses.apiKey, { code: '02', note: 'Không đúng thẩm quyền' })).status).to.equal(200);
    bundle = await download(docId, sender.apiKey, 'bundle.zip');
  });
  after(async () => {
    await worker?.stop();
    tsa?.close();
    await gw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the sender downloads the bundle, then it is an ASiC-E ZIP (mimetype first, stored) and `evidence verify` with only the CA file says what it proves, in Vietnamese, exit 0', async () => {
    const raw = fs.readFileSync(bundle);
    // local file header of the first entry: name "mimetype", method 0 (stored), content right after
    expect(raw.readUInt32LE(0)).to.equal(0x04034b50);
    expect(raw.readUInt16LE(8)).to.equal(0);
    expect(raw.subarray(30, 38).toString('ascii')).to.equal('mimetype');
    expect(raw.subarray(38, 38 + ASIC_E_MIMETYPE.length).toString('ascii')).to.equal(ASIC_E_MIMETYPE);
    const names = (await zipParts(bundle)).map((p) => p.path);
    expect(names).to.include.members(['mimetype', 'document/signed.pdf', 'document/envelope.edxml', 'timeline.json', 'ledger/rows.json', 'ledger/anchor.tsr', MANIFEST_PATH, SEAL_PATH]);
    expect(names.filter((n) => n.startsWith('receipts/')), 'two arrivals (01) and one registration (03)').to.have.length(3);

    const r = verifyCli(bundle, caFile);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain('KẾT QUẢ: HỢP LỆ');
    expect(r.out).to.match(/Cấu trúc ASiC-E: "mimetype" đứng đầu; bản kê META-INF\/ASiCManifest.xml liệt kê \d+ phần/);
    expect(r.out).to.contain(`Chữ ký số của "${sender.name}"`);
    expect(r.out).to.match(/Mốc thời gian: dòng \d+ được đóng dấu thời gian RFC 3161 lúc .* bởi "Liên Thông Development TSA/);
    expect(r.out).to.contain(`${registers.name} (${registers.code}) đã vào sổ (03), số đến`);
    expect(r.out).to.contain(`${refuses.name} (${refuses.code}) đã đến (01)`);
    expect(r.out).to.contain(`${refuses.name} (${refuses.code}) ĐÃ TỪ CHỐI văn bản (02)`);
    expect(r.out).to.contain('Không đúng thẩm quyền');
  });

  it('when one byte of any part is changed, then verify fails naming that part (every part, and a raw byte of the stored PDF inside the ZIP)', async () => {
    const parts = await zipParts(bundle);
    for (const p of parts) {
      const changed = path.join(dir, `changed-${p.path.replace(/\W/g, '_')}.zip`);
      await withOneByteChanged(parts, p.path, changed);
      const report = await verifyEvidenceBundle(changed, [fs.readFileSync(caFile, 'utf8')]);
      expect(report.ok, `${p.path}: ${report.lines.join('\n')}`).to.equal(false);
      expect(report.failedPart, `${p.path}: ${report.problem}`).to.equal(p.path);
      expect(report.lines.at(-1)).to.contain(`phần "${p.path}"`);
    }
    // a byte flipped in place in the ZIP file, inside the signed PDF's stored data
    const raw = fs.readFileSync(bundle);
    const signed = parts.find((p) => p.path === 'document/signed.pdf')!;
    // (its first bytes are the original's: signing is an incremental update; its tail is its own)
    const at = raw.indexOf(signed.bytes.subarray(signed.bytes.length - 400)) + 10;
    expect(at).to.be.greaterThan(10);
    raw[at] = raw[at]! ^ 0x01;
    const flipped = path.join(dir, 'flipped.zip');
    fs.writeFileSync(flipped, raw);
    const r = verifyCli(flipped, caFile);
    expect(r.code, r.out).to.equal(1);
    expect(r.out, r.out).to.contain('KẾT QUẢ: KHÔNG HỢP LỆ — phần "document/signed.pdf"');
  });

  it('when the trust anchor given is another CA, then the seal is not trusted and verify fails', async () => {
    const other = path.join(dir, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', other, '-subj', '/CN=Other CA', '-days', '2'], { stdio: 'ignore' });
    const r = verifyCli(bundle, other);
    expect(r.code).to.equal(1);
    expect(r.out).to.contain(`phần "${SEAL_PATH}": con dấu không được tin cậy`);
  });

  it('when a document was revoked, then its bundle verifies and says so; a recipient gets only its own copy, another agency gets 404', async () => {
    const id = await sendAndDeliver([registers], 'UBND-TH');
    const own = await download(id, registers.apiKey, 'recipient.zip');
    const seen = await verifyEvidenceBundle(own, [fs.readFileSync(caFile, 'utf8')]);
    expect(seen.ok, seen.lines.join('\n')).to.equal(true);
    expect(seen.document?.revoked).to.equal(false);
    expect((await post(gw.baseUrl, `/v1/documents/${id}/revoke`, sender.apiKey, { reason: 'Ban hành nhầm' })).status).to.equal(200);
    const file = await download(id, sender.apiKey, 'revoked.zip');
    const r = verifyCli(file, caFile);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/VĂN BẢN ĐÃ BỊ THU HỒI lúc .*lý do: "Ban hành nhầm" \(ghi trong nhật ký: 1 dòng dispatch_revoked\)/);
    const report = await verifyEvidenceBundle(file, [fs.readFileSync(caFile, 'utf8')]);
    expect(report.document).to.include({ revoked: true, status: 'revoked' });

    const recipientView = await zipParts(await download(docId, refuses.apiKey, 'refuses.zip'));
    const timeline = JSON.parse(recipientView.find((p) => p.path === 'timeline.json')!.bytes.toString('utf8'));
    expect(timeline.scope).to.equal('recipient');
    expect(timeline.dispatches.map((d: { recipient: string }) => d.recipient)).to.deep.equal([refuses.code]);
    expect(recipientView.filter((p) => p.path.startsWith('receipts/'))).to.have.length(1);
    // The sender's chain also holds its other documents: a recipient's bundle shows only this one's rows,
    // timestamped together, and still verifies.
    const ledger = JSON.parse(recipientView.find((p) => p.path === 'ledger/rows.json')!.bytes.toString('utf8'));
    expect(ledger.proof).to.equal('own-rows');
    expect(ledger.rows.length).to.be.greaterThan(0);
    expect(ledger.rows.every((r: { document_id: string }) => r.document_id === docId), 'only this document\'s rows').to.equal(true);
    const chainRows = (await gw.db.query(`SELECT count(*)::int AS n FROM ledger WHERE chain = $1 AND (document_id IS DISTINCT FROM $2)`, [ledger.chain, docId])).rows[0].n;
    expect(chainRows, 'the chain does hold other rows (so leaving them out is tested)').to.be.greaterThan(0);
    const recipientReport = await verifyEvidenceBundle(await download(docId, refuses.apiKey, 'refuses-2.zip'), [fs.readFileSync(caFile, 'utf8')]);
    expect(recipientReport.ok, recipientReport.lines.join('\n')).to.equal(true);
    expect(recipientReport.lines.join('\n')).to.contain('Dấu thời gian: các dòng trên được đóng dấu thời gian RFC 3161');
    const res = await fetch(`${gw.baseUrl}/v1/documents/${docId}/evidence`, { headers: { authorization: `Bearer ${outsider.apiKey}` } });
    expect(res.status).to.equal(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('NOT_FOUND');
  });

  it('when a recipient fetches its receipts, then each verifies with `openssl cms -verify` against the CA and names the dispatch, the code and the signed PDF\'s SHA-256; a changed byte fails', async () => {
    const list = await getJson(gw.baseUrl, `/v1/documents/${docId}/receipts`, registers.apiKey);
    expect(list.status).to.equal(200);
    expect(list.body.receipts.map((r: { code: string }) => r.code).sort()).to.deep.equal(['01', '03']);
    const signedPdf = Buffer.from(await (await fetch(`${gw.baseUrl}/v1/documents/${docId}/files/signed`, { headers: { authorization: `Bearer ${registers.apiKey}` } })).arrayBuffer());
    const dispatchId = await dispatchOf(docId, registers);
    for (const r of list.body.receipts as { eventId: number; code: string; links: { der: string } }[]) {
      const der = Buffer.from(await (await fetch(`${gw.baseUrl}${r.links.der}`, { headers: { authorization: `Bearer ${registers.apiKey}` } })).arrayBuffer());
      const file = path.join(dir, `receipt-${r.eventId}.p7m`);
      fs.writeFileSync(file, der);
      const content = execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', caFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      const c = JSON.parse(content.toString('utf8'));
      expect(c).to.include({ type: 'lienthong-receipt', dispatchId, documentId: docId, statusCode: r.code, eventId: r.eventId, signedDocumentSha256: createHash('sha256').update(signedPdf).digest('hex') });
      expect(Date.parse(c.at)).to.be.a('number').and.not.NaN;
      const tampered = Buffer.from(der);
      const at = der.indexOf(Buffer.from(`"statusCode":"${r.code}"`)) + 15;
      tampered[at] = tampered[at]! ^ 0x01;
      fs.writeFileSync(file, tampered);
      const bad = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', caFile], { encoding: 'utf8' });
      expect(bad.status, 'openssl refuses a changed receipt').to.not.equal(0);
      expect(bad.stderr).to.match(/digest failure|verification failure/i);
    }
  });
});
