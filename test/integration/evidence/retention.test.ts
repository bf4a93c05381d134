import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { verifyEvidenceBundle } from '../../../services/evidence/evidence-verify';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv, uniqueTag } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const BIN = path.join(projectRoot(), 'bin', 'lienthong');

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; json: any }> {
  const env = { ...process.env, DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: testEnv().masterKeyHex, ...extraEnv };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b.toString()));
    child.stderr.on('data', (b) => (err += b.toString()));
    child.on('close', (code) => {
      let json: any;
      try {
        json = JSON.parse(out);
      } catch {
        json = undefined;
      }
      resolve({ code, out: out + err, json });
    });
  });
}

describe('retention: periods per document type, legal holds, disposal proposed then approved by an administrator, nothing deleted silently', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let sender: TestAgency;
  let recipient: TestAgency;
  let held: string;
  let due: string;
  let young: string;
  const admin = `admin.${uniqueTag().toLowerCase()}`;
  const clerk = `clerk.${uniqueTag().toLowerCase()}`;

  async function send(issuedOn: string, notation: string): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { documentType: 'GM', issuedOn, notation }), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return posted.body.id;
  }

  before(async () => {
    gw = await startGateway();
    worker = spawnWorker();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    held = await send('2019-03-01', 'UBND-GM1');
    due = await send('2019-04-02', 'UBND-GM2');
    young = await send(new Date().toISOString().slice(0, 10), 'UBND-GM3');
    await waitFor('three documents routed and delivered', async () =>
      (await gw.db.query(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1) AND status = 'delivered'`, [[held, due, young]])).rows[0].n === 3, { timeoutMs: 90_000 });
    const pw = { ADMIN_PW: 'mat-khau-quan-tri-2026' };
    expect((await cli(['user', 'add', '--agency', sender.code, '--username', admin, '--role', 'admin', '--password-env', 'ADMIN_PW'], pw)).code).to.equal(0);
    expect((await cli(['user', 'add', '--agency', sender.code, '--username', clerk, '--role', 'clerk', '--password-env', 'ADMIN_PW'], pw)).code).to.equal(0);
  });
  after(async () => {
    await worker?.stop();
    await gw?.close();
  });

  it('when the operator sets a period and places a hold, then only the unheld document past its period is proposed, and nothing is removed by the proposal', async () => {
    const set = await cli(['retention', 'set', '--type', 'GM', '--years', '5', '--note', 'giấy mời: 5 năm']);
    expect(set.code, set.out).to.equal(0);
    const list = await cli(['retention', 'list', '--json']);
    expect(list.json.find((r: { documentType: string }) => r.documentType === 'GM')).to.include({ years: 5, permanent: false });
    expect((await cli(['hold', 'add', '--document', held, '--reason', 'Đang thanh tra'])).code).to.equal(0);

    const proposed = await cli(['disposal', 'propose', '--as-of', '2026-12-05', '--sender', sender.code, '--json']);
    expect(proposed.code, proposed.out).to.equal(0);
    expect(proposed.json.rows.map((r: { documentId: string }) => r.documentId)).to.deep.equal([due]);
    expect(proposed.json.rows[0]).to.include({ status: 'proposed', retainUntil: '2024-12-31' });
    const files = await gw.db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1`, [due]);
    expect(files.rows[0].n, 'a proposal removes nothing').to.be.greaterThan(1);
    // proposed again: nothing new (already proposed)
    expect((await cli(['disposal', 'propose', '--as-of', '2026-12-05', '--sender', sender.code, '--json'])).json.rows).to.deep.equal([]);
  });

  it('when someone who is not an administrator approves, then it is refused; when an administrator approves, the files go, their hashes stay, the ledger records it and the evidence bundle still verifies and says so', async () => {
    const batch = (await gw.db.query(`SELECT batch FROM disposals WHERE document_id = $1 AND status = 'proposed'`, [due])).rows[0].batch as string;
    const refused = await cli(['disposal', 'approve', '--batch', batch, '--by', clerk]);
    expect(refused.code).to.equal(1);
    expect(refused.out).to.contain('is not an active administrator');
    const before = await gw.db.query(`SELECT f.role, f.blob_sha256 AS sha FROM document_files f WHERE f.document_id = $1 ORDER BY role`, [due]);

    const approved = await cli(['disposal', 'approve', '--batch', batch, '--by', admin]);
    expect(approved.code, approved.out).to.equal(0);
    expect(approved.out).to.contain(`${due}: disposed (${before.rows.length} file(s) removed, their SHA-256 kept`);
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1`, [due])).rows[0].n).to.equal(0);
    const signedSha = before.rows.find((r) => r.role === 'signed')!.sha;
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1`, [signedSha])).rows[0].n, 'the signed PDF bytes are gone').to.equal(0);
    const kept = (await gw.db.query(`SELECT files, decided_by AS "decidedBy", status FROM disposals WHERE document_id = $1 AND status = 'disposed'`, [due])).rows[0];
    expect(kept.decidedBy).to.equal(admin);
    expect(kept.files.map((f: { sha256: string }) => f.sha256).sort()).to.deep.equal(before.rows.map((r) => r.sha).sort());
    const row = (await gw.db.query(`SELECT detail FROM ledger WHERE document_id = $1 AND kind = 'document_disposed'`, [due])).rows[0];
    expect(row.detail).to.include({ approvedBy: admin, batch, retainUntil: '2024-12-31' });
    expect(row.detail.files.map((f: { sha256: string }) => f.sha256).sort()).to.deep.equal(before.rows.map((r) => r.sha).sort());
    expect((await verifyLedger(gw.db)).ok).to.equal(true);
    // the metadata and timeline stay: the document is still there, marked
    expect((await gw.db.query(`SELECT disposed_at IS NOT NULL AS d, subject FROM documents WHERE id = $1`, [due])).rows[0].d).to.equal(true);

    const res = await fetch(`${gw.baseUrl}/v1/documents/${due}/evidence`, { headers: { authorization: `Bearer ${sender.apiKey}` } });
    expect(res.status).to.equal(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-disposed-'));
    try {
      const file = path.join(dir, 'disposed.zip');
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const ca = (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem as string;
      const report = await verifyEvidenceBundle(file, [ca]);
      expect(report.ok, report.lines.join('\n')).to.equal(true);
      expect(report.document?.disposed).to.equal(true);
      expect(report.lines.join('\n')).to.match(/ĐÃ ĐƯỢC TIÊU HỦY theo thời hạn lưu trữ \(hết hạn 2024-12-31\), duyệt bởi admin\.\w+ lúc .*; còn giữ mã SHA-256 của \d+ tệp đã xóa/);
      expect(report.lines.join('\n')).to.contain('document_disposed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the hold is released, then the document is proposed; an administrator may reject, and it is kept', async () => {
    expect((await cli(['hold', 'remove', '--document', held, '--note', 'Thanh tra xong'])).code).to.equal(0);
    const proposed = await cli(['disposal', 'propose', '--as-of', '2026-12-05', '--sender', sender.code, '--json']);
    expect(proposed.json.rows.map((r: { documentId: string }) => r.documentId)).to.deep.equal([held]);
    const rejected = await cli(['disposal', 'reject', '--batch', proposed.json.batch, '--by', admin, '--note', 'Còn giá trị tham khảo']);
    expect(rejected.code, rejected.out).to.equal(0);
    expect((await gw.db.query(`SELECT status, decision_note AS note FROM disposals WHERE document_id = $1`, [held])).rows).to.deep.equal([{ status: 'rejected', note: 'Còn giá trị tham khảo' }]);
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1`, [held])).rows[0].n).to.be.greaterThan(1);
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1`, [young])).rows[0].n, 'a document within its period is never proposed').to.be.greaterThan(1);
    const audit = await gw.db.query(`SELECT action FROM audit_log WHERE action LIKE 'disposal.%' OR action LIKE 'hold.%' OR action = 'retention.set'`);
    expect([...new Set(audit.rows.map((r) => r.action))]).to.include.members(['retention.set', 'hold.add', 'hold.remove', 'disposal.propose', 'disposal.approve', 'disposal.reject']);
  });
});
