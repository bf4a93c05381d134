import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createHash, X509Certificate } from 'node:crypto';
import { verifyEvidenceBundle } from '../../../services/evidence/evidence-verify';
import { loadConfig } from '../../../services/config/config';
import { pdfCommand } from '../../../services/cli/commands/pdf.command';
import { renewalContext, renewalTick } from '../../../services/domain/documents/renewal-scheduler';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { DEV_CRL_PATH, DEV_OCSP_PATH, issueDevCertificate, openDevCa } from '../../../services/domain/pki/dev-pki';
import { issueTsaCertificate } from '../../../services/pki/dev-ca';
import { readDss } from '../../../services/signing/ltv/dss-reader';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { PdfRevisions } from '../../../services/signing/pdf-revisions';
import { findSignatures } from '../../../services/signing/pdf-signature-scan';
import { startDevTsa } from '../../../services/domain/pki/dev-tsa';
import { createTsaServer } from '../../../services/tsa/tsa-server';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { nssDbTrusting, pdfsig } from '../../support/poppler';
import { testEnv } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { testCli, type TestCli } from '../pki/pki-fixtures';

// Issue 21 items 1 and 2 through the pipeline: the sign stage produces B-LT by default (a DSS
// from the development CA's CRL/OCSP, which the gateway serves) and B-LTA for a type kept
// permanently; the scheduled renewal and `lienthong pdf renew` add document timestamps as
// incremental updates, each a ledger row, and every earlier signature and timestamp still verifies
// offline.

const DAY_MS = 24 * 3600_000;

describe('signature levels in the pipeline and the renewal of document timestamps', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let tsa: http.Server;
  let longTsa: http.Server;
  let longTsaUrl: string;
  let sender: TestAgency;
  let recipient: TestAgency;
  let cli: TestCli;
  let anchor: Buffer;
  let caPem: string;
  const docs: Record<'cv' | 'qd', string> = { cv: '', qd: '' };
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');

  async function signedOf(id: string): Promise<Buffer> {
    const res = await fetch(`${gw.baseUrl}/v1/documents/${id}/files/signed`, { headers: { authorization: `Bearer ${recipient.apiKey}` } });
    expect(res.status).to.equal(200);
    return Buffer.from(await res.arrayBuffer());
  }

  async function send(documentType: string, notation: string): Promise<string> {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { documentType, notation }), await makePdf(1)));
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    const id = posted.body.id as string;
    await waitFor(`${documentType} delivered`, async () => (await gw.db.query(`SELECT 1 FROM dispatches WHERE document_id = $1 AND status = 'delivered'`, [id])).rowCount === 1);
    return id;
  }

  before(async () => {
    gw = await startGateway();
    cli = testCli();
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    // the sender's newest certificate names this gateway's CRL and OCSP (dev mode serves them)
    await issueDevCertificate(gw.db, masterKey(), true, sender, 'rsa', { revocationBaseUrl: gw.baseUrl });
    const t = await startDevTsa(gw.db, masterKey(), true, { revocationBaseUrl: gw.baseUrl });
    tsa = t.server;
    const ca = await openDevCa(gw.db, masterKey(), true);
    caPem = ca.certPem;
    anchor = new X509Certificate(ca.certPem).raw;
    // a second TSA whose certificate outlives the first one's: what renewal moves to
    const cert = issueTsaCertificate(ca, { validDays: 3650, commonName: 'Liên Thông TSA 2 (test)', revocation: { crlUrl: `${gw.baseUrl}${DEV_CRL_PATH}`, ocspUrl: `${gw.baseUrl}${DEV_OCSP_PATH}` } });
    longTsa = createTsaServer({ keyPem: cert.keyPem, certPem: cert.certPem + ca.certPem });
    longTsa.listen(0, '127.0.0.1');
    await once(longTsa, 'listening');
    longTsaUrl = `http://127.0.0.1:${(longTsa.address() as AddressInfo).port}/`;
    // the default level (B-LT), the default permanent types (QĐ among them); renewal run by hand below
    worker = spawnWorker({ LIENTHONG_TSA_URL: t.url, LIENTHONG_RENEWAL_CHECK_MS: '0' });
    docs.cv = await send('CV', 'UBND-VP');
    docs.qd = await send('QĐ', 'QĐ-UBND');
  });
  after(async () => {
    await worker.stop();
    tsa.close();
    longTsa.close();
    await cli.close();
    await gw.close();
  });

  it('a công văn is signed B-LT by default: its DSS holds the chains and the revocation answers gathered at signing', async () => {
    const view = await getJson(gw.baseUrl, `/v1/documents/${docs.cv}`, sender.apiKey);
    expect(view.body.signature).to.deep.include({ level: 'B-LT', note: null });
    const pdf = await signedOf(docs.cv);
    const dss = readDss(new PdfRevisions(pdf))!;
    const subjects = dss.certs.map((d) => new X509Certificate(d).subject);
    expect(subjects.some((s) => s.includes(sender.name))).to.equal(true);
    expect(subjects.some((s) => s.includes('Development TSA'))).to.equal(true);
    expect(dss.ocsps.length + dss.crls.length).to.be.at.least(2);
    expect(findSignatures(pdf).map((s) => s.subFilter)).to.deep.equal(['ETSI.CAdES.detached']);
    const row = (await gw.db.query(`SELECT timestamp_expires_at FROM documents WHERE id = $1`, [docs.cv])).rows[0];
    expect(row.timestamp_expires_at).to.be.instanceOf(Date);
  });

  it('a quyết định (kept permanently) is signed B-LTA: a document timestamp over the whole file after the DSS; pdfsig trusts the signature', async () => {
    const view = await getJson(gw.baseUrl, `/v1/documents/${docs.qd}`, sender.apiKey);
    expect(view.body.signature).to.deep.include({ level: 'B-LTA', note: null });
    const pdf = await signedOf(docs.qd);
    const sigs = findSignatures(pdf);
    expect(sigs.map((s) => s.subFilter)).to.deep.equal(['ETSI.CAdES.detached', 'ETSI.RFC3161']);
    const [, , c, d] = sigs[1]!.byteRange!;
    expect(c + d).to.equal(pdf.length);
    const out = pdfsig(pdf, nssDbTrusting(caPem), ['-no-ocsp']);
    expect(out.split('Signature #2')[0]).to.contain('Signature is Valid').and.to.contain('Certificate is Trusted');
    // offline (no revocation checker at all: only the DSS answers)
    const reports = await verifyPdfSignatures(pdf, [anchor]);
    expect(reports.map((r) => r.verdict.indication), reports.map((r) => r.verdict.message).join(' | ')).to.deep.equal(['passed', 'passed']);
    expect(reports[0]!.revocation.source).to.equal('dss');
    // 800 days on, past the agency certificate (730 days) AND the development TSA's (365 days):
    // without a renewal the proof of existence is gone
    const [late] = await verifyPdfSignatures(pdf, [anchor], { now: new Date(Date.now() + 800 * DAY_MS) });
    expect(late!.verdict).to.include({ indication: 'indeterminate', reason: 'OUT_OF_BOUNDS_NO_POE' });
  });

  it('the scheduled renewal adds a document timestamp to each document due, as an incremental update and a ledger row; every earlier one still verifies', async () => {
    const before = { cv: await signedOf(docs.cv), qd: await signedOf(docs.qd) };
    // the signed receipt of the arrival (01) names the signed PDF as it is before the renewal
    const receipts = await getJson(gw.baseUrl, `/v1/documents/${docs.cv}/receipts`, sender.apiKey);
    expect(receipts.status, JSON.stringify(receipts.body)).to.equal(200);
    expect(receipts.body.receipts.map((r: { content: { signedDocumentSha256: string } }) => r.content.signedDocumentSha256))
      .to.include(createHash('sha256').update(before.cv).digest('hex'));
    const ctx = renewalContext(gw.db, loadConfig(), { url: longTsaUrl })!;
    // a margin longer than the first TSA certificate's life: both documents are due now
    const results = await renewalTick(gw.db, ctx, 400, new Date(), 10_000);
    const mine = results.filter((r) => r.documentId === docs.cv || r.documentId === docs.qd);
    expect(mine.map((r) => [r.renewed, r.missing])).to.deep.equal([[true, []], [true, []]]);
    for (const key of ['cv', 'qd'] as const) {
      const after = await signedOf(docs[key]);
      expect(after.subarray(0, before[key].length).equals(before[key]), `${key}: earlier bytes unchanged`).to.equal(true);
      expect(findSignatures(after).at(-1)!.subFilter).to.equal('ETSI.RFC3161');
      const reports = await verifyPdfSignatures(after, [anchor]);
      expect(reports.map((r) => r.verdict.indication), reports.map((r) => r.verdict.message).join(' | ')).to.deep.equal(reports.map(() => 'passed'));
      // renewed with a TSA certificate that lasts: 800 days on, past the signer's and the first TSA's expiry, offline, it passes
      const late = await verifyPdfSignatures(after, [anchor], { now: new Date(Date.now() + 800 * DAY_MS) });
      expect(late.map((r) => r.verdict.indication), late.map((r) => r.verdict.message).join(' | ')).to.deep.equal(late.map(() => 'passed'));
      const doc = (await gw.db.query(`SELECT signature_level, timestamp_expires_at FROM documents WHERE id = $1`, [docs[key]])).rows[0];
      expect(doc.signature_level).to.equal('B-LTA');
      expect(doc.timestamp_expires_at.getTime()).to.be.greaterThan(Date.now() + 3000 * DAY_MS);
    }
    const ledger = await gw.db.query(`SELECT document_id, detail FROM ledger WHERE kind = 'signature_renewed' AND document_id = ANY($1)`, [[docs.cv, docs.qd]]);
    expect(ledger.rowCount).to.equal(2);
    const renewal = (await gw.db.query(`SELECT previous_sha256, previous_size FROM signature_renewals WHERE document_id = $1`, [docs.cv])).rows[0];
    expect([renewal.previous_sha256, Number(renewal.previous_size)]).to.deep.equal([createHash('sha256').update(before.cv).digest('hex'), before.cv.length]);
    // the evidence bundle (issue 21 item 3) of the renewed document still verifies: its receipt names an earlier revision of the signed PDF
    const zip = await fetch(`${gw.baseUrl}/v1/documents/${docs.cv}/evidence`, { headers: { authorization: `Bearer ${sender.apiKey}` } });
    expect(zip.status).to.equal(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-evidence-'));
    try {
      const file = path.join(dir, 'bundle.zip');
      fs.writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
      const report = await verifyEvidenceBundle(file, [caPem]);
      expect(report.ok, `${report.failedPart}: ${report.problem}`).to.equal(true);
      expect(report.lines.join('\n')).to.contain('Dấu thời gian tài liệu');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // now nothing is due within the same margin: a second look renews nothing
    const again = await renewalTick(gw.db, ctx, 400, new Date(), 10_000);
    expect(again.filter((r) => r.documentId === docs.cv || r.documentId === docs.qd)).to.deep.equal([]);
  });

  it('lienthong pdf renew --document renews on demand with a reason (an algorithm declared weak); the ledger still verifies; openssl ts -verify accepts the new token', async () => {
    const before = await signedOf(docs.qd);
    const run = await cli.run(pdfCommand, ['renew', '--document', docs.qd, '--reason', 'SHA-256 declared weak (drill)'], { LIENTHONG_TSA_URL: longTsaUrl });
    expect(run.code, run.human).to.equal(0);
    expect(run.value.renewed).to.have.length(1);
    const after = await signedOf(docs.qd);
    expect(after.subarray(0, before.length).equals(before)).to.equal(true);
    const sigs = findSignatures(after);
    expect(sigs.map((s) => s.subFilter)).to.deep.equal(['ETSI.CAdES.detached', 'ETSI.RFC3161', 'ETSI.RFC3161', 'ETSI.RFC3161']);
    const rows = await gw.db.query(`SELECT detail->>'reason' AS reason FROM ledger WHERE kind = 'signature_renewed' AND document_id = $1 ORDER BY id`, [docs.qd]);
    expect(rows.rows.map((r) => r.reason)).to.deep.equal([rows.rows[0].reason, 'SHA-256 declared weak (drill)']);
    expect((await verifyLedger(gw.db)).ok).to.equal(true);
    // the newest document timestamp, checked by openssl over the bytes it covers
    const last = sigs.at(-1)!;
    const [a, b, c, d] = last.byteRange!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-renew-'));
    try {
      fs.writeFileSync(path.join(dir, 'token.tsr'), last.contents);
      fs.writeFileSync(path.join(dir, 'data.bin'), Buffer.concat([after.subarray(a, a + b), after.subarray(c, c + d)]));
      fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
      const v = spawnSync('openssl', ['ts', '-verify', '-token_in', '-in', path.join(dir, 'token.tsr'), '-data', path.join(dir, 'data.bin'), '-CAfile', path.join(dir, 'ca.pem')], { encoding: 'utf8' });
      expect(v.stdout + v.stderr).to.contain('Verification: OK');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // a bad id is a usage error, not a crash
    const bad = await cli.run(pdfCommand, ['renew', '--document', 'nope'], { LIENTHONG_TSA_URL: longTsaUrl }).catch((e: Error) => e);
    expect(bad).to.be.instanceOf(Error);
    expect((bad as Error).message).to.contain('--document takes a document id');
  });
});
