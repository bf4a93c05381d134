import { expect } from 'chai';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { buildCrl } from '../../../services/pki/revocation/crl';
import { RevocationChecker } from '../../../services/pki/revocation/revocation-checker';
import { readCertificateFields } from '../../../services/asn1/cert-fields';
import { parseSignedData } from '../../../services/signing/cms-parser';
import { decodeAt } from '../../../services/asn1/der';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { SignatureReport, verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import {
  appendUpdate, factsOf, handCms, pageWith, PDFArray, PDFName, PDFRef, signWith, streamBody, timestampAttr, toBer, tsaAt, X509Certificate,
} from './corpus-builders';
import { AGENCY, onePagePdf, run, TempDir } from './signing-fixtures';

// The verification corpus of issue 15: every case generated here (the project's signer, pdf-lib,
// hand-built incremental updates, hand-made CMS in DER and BER), asserted on verdict and reason,
// and — where pdfsig or openssl has an opinion on integrity — checked to agree with them.

const DAY = 86_400_000;
const der = (pem: string): Buffer => new X509Certificate(pem).raw;

interface Row {
  name: string;
  verdicts: string;
}
const table: Row[] = [];

/** Integrity per signature as pdfsig (poppler/NSS) sees it: true = "Signature is Valid". */
function pdfsigIntegrity(dir: TempDir, pdf: Buffer): boolean[] {
  const file = dir.file(`pdfsig-${Date.now()}-${Math.random().toString(36).slice(2)}.pdf`, pdf);
  const r = run('pdfsig', ['-nocert', file]);
  return [...(r.stdout + r.stderr).matchAll(/Signature Validation: (.+)/g)].map((m) => /Signature is Valid/.test(m[1] ?? ''));
}

/** openssl cms -verify of a detached CMS over the signed bytes, chain not checked: integrity only. */
function opensslIntegrity(dir: TempDir, cms: Buffer, signed: Buffer): boolean {
  const c = dir.file(`cms-${Math.random().toString(36).slice(2)}.der`, cms);
  const content = dir.file(`content-${Math.random().toString(36).slice(2)}.bin`, signed);
  return run('openssl', ['cms', '-verify', '-inform', 'DER', '-in', c, '-binary', '-content', content, '-noverify', '-out', '/dev/null']).status === 0;
}

describe('issue 15 verification corpus: each case asserted on verdict and reason', function () {
  this.timeout(180_000);
  const dir = new TempDir();
  let ca: KeyAndCert;
  let good: KeyAndCert;
  let expired: KeyAndCert;
  let revoked: KeyAndCert;
  let tsa: KeyAndCert;
  let rogueTsa: KeyAndCert;
  let base: Buffer;
  let signed: Buffer;
  let crl: Buffer;
  let verify: (pdf: Buffer, opts?: { anchors?: string[]; softFail?: boolean; noCrl?: boolean }) => Promise<SignatureReport[]>;
  const now = Date.now();
  const expiredFrom = new Date(now - 400 * DAY);

  const record = (name: string, reports: SignatureReport[]): SignatureReport[] => {
    table.push({ name, verdicts: reports.map((r) => `${r.verdict.indication}${r.verdict.reason ? ` ${r.verdict.reason}` : ''}`).join(' | ') });
    return reports;
  };

  before(async () => {
    ca = createDevCa({ commonName: 'Corpus Root CA' });
    good = issueAgencyCertificate(ca, AGENCY);
    expired = issueAgencyCertificate(ca, AGENCY, { notBefore: expiredFrom, validDays: 30 });
    revoked = issueAgencyCertificate(ca, AGENCY);
    tsa = issueTsaCertificate(ca, { notBefore: new Date(now - 500 * DAY), validDays: 1000 });
    rogueTsa = issueTsaCertificate(createDevCa({ commonName: 'Rogue CA' }), { commonName: 'Rogue TSA' });
    const revokedSerial = decodeAt(readCertificateFields(der(revoked.certPem)).serial).content;
    crl = buildCrl(ca, [{ serial: revokedSerial, revokedAt: new Date(now - 3600_000) }], new Date(now - 60_000), new Date(now + DAY), 1);
    verify = (pdf, opts = {}) => verifyPdfSignatures(pdf, (opts.anchors ?? [ca.certPem]).map(der), {
      tsaAnchorsDer: [der(ca.certPem)],
      revocation: new RevocationChecker({ importedCrls: async () => (opts.noCrl ? [] : [crl]) }),
      ...(opts.softFail ? { softFail: true } : {}),
    });
    base = await onePagePdf();
    signed = await signPdf(base, loadSigningIdentity(good.keyPem, good.certPem, [ca.certPem]), { signingTime: new Date() });
  });
  after(() => {
    // the corpus table, for the issue's report
    process.stdout.write(`\n  corpus table (case → verdict per signature):\n${table.map((r) => `    ${r.name.padEnd(58)} ${r.verdicts}`).join('\n')}\n`);
    dir.remove();
  });

  const identity = (k: KeyAndCert) => loadSigningIdentity(k.keyPem, k.certPem, [ca.certPem]);

  it('our own signer (RSA, DER, ETSI.CAdES.detached): passed; pdfsig agrees on integrity', async () => {
    const [r] = record('own signer, RSA, DER', await verify(signed));
    expect(r!.verdict.indication).to.equal('passed');
    expect(r!.coversWholeDocument).to.equal(true);
    expect(r!.revocation.source).to.equal('imported-crl');
    expect(pdfsigIntegrity(dir, signed)).to.deep.equal([true]);
  });

  it('ECDSA P-256: passed', async () => {
    const ecCa = createDevCa({ keyType: 'ec' });
    const ec = issueAgencyCertificate(ecCa, AGENCY, { keyType: 'ec' });
    const pdf = await signPdf(base, loadSigningIdentity(ec.keyPem, ec.certPem, [ecCa.certPem]), { signingTime: new Date() });
    const [r] = record('own signer, ECDSA P-256', await verifyPdfSignatures(pdf, [der(ecCa.certPem)], { softFail: true }));
    expect(r!.algorithm).to.equal('ECDSA/SHA-256');
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('RSA-PSS (hand-made CMS): passed; openssl cms -verify agrees', async () => {
    let cms: Buffer = Buffer.alloc(0);
    let content: Buffer = Buffer.alloc(0);
    const pdf = await signWith(base, (s) => ((content = s), (cms = handCms(s, good, [ca.certPem], { digest: 'sha256', pss: true }))));
    const [r] = record('RSA-PSS/SHA-256, hand-made CMS', await verify(pdf));
    expect(r!.algorithm).to.equal('RSA-PSS/SHA-256');
    expect(r!.verdict.indication).to.equal('passed');
    expect(opensslIntegrity(dir, cms, content)).to.equal(true);
  });

  it('the same CMS re-encoded in BER with indefinite lengths: same verdict as DER; openssl and pdfsig agree', async () => {
    let cms: Buffer = Buffer.alloc(0);
    let content: Buffer = Buffer.alloc(0);
    const derPdf = await signWith(base, (s) => handCms(s, good, [ca.certPem], { digest: 'sha256' }));
    const berPdf = await signWith(base, (s) => ((content = s), (cms = toBer(handCms(s, good, [ca.certPem], { digest: 'sha256' })))));
    const [d] = await verify(derPdf);
    const [b] = record('CMS in BER (indefinite lengths), SHA-256', await verify(berPdf));
    expect(b!.cmsEncoding).to.equal('BER');
    expect(d!.cmsEncoding).to.equal('DER');
    expect(b!.verdict.indication).to.equal(d!.verdict.indication).and.to.equal('passed');
    expect(b!.digestMatches && b!.signatureValid).to.equal(true);
    expect(opensslIntegrity(dir, cms, content)).to.equal(true);
    // as BER producers in the field write it (certificates and signed attributes left in DER): pdfsig agrees too
    const fieldBer = await signWith(base, (s) => toBer(handCms(s, good, [ca.certPem], { digest: 'sha256' }), { keepDer: true }));
    const [fb] = record('CMS in BER, certificates and signed attributes in DER', await verify(fieldBer));
    expect(fb!.verdict.indication).to.equal('passed');
    expect(pdfsigIntegrity(dir, fieldBer)).to.deep.equal([true]);
  });

  it('a SHA-1 signature (adbe.pkcs7.detached): intact, indeterminate for the weak algorithm, not failed', async () => {
    const pdf = await signWith(base, (s) => handCms(s, good, [ca.certPem], { digest: 'sha1' }), { subFilter: 'adbe.pkcs7.detached' });
    const [r] = record('SHA-1, adbe.pkcs7.detached', await verify(pdf));
    expect(r!.digestMatches && r!.signatureValid).to.equal(true);
    expect(r!.weakAlgorithm).to.equal('SHA-1');
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
  });

  it('adbe.pkcs7.sha1 (encapsulated SHA-1 of the ranges): intact, indeterminate weak; a flipped byte fails', async () => {
    const pdf = await signWith(base, (s) => handCms(s, good, [ca.certPem], { digest: 'sha256', encapsulateSha1: true }), { subFilter: 'adbe.pkcs7.sha1' });
    const [r] = record('adbe.pkcs7.sha1', await verify(pdf));
    expect(r!.subFilter).to.equal('adbe.pkcs7.sha1');
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
    const flipped = Buffer.from(pdf);
    flipped[100] = (flipped[100] ?? 0) ^ 0x01;
    const [f] = await verify(flipped);
    expect(f!.verdict).to.include({ indication: 'failed', reason: 'HASH_FAILURE' });
  });

  it('the ministry case: BER, SHA-1, a trusted TSA timestamp inside the validity of a certificate that has since expired, root not trusted', async () => {
    const ministryCa = createDevCa({ commonName: 'Ministry CA' });
    const signer = issueAgencyCertificate(ministryCa, AGENCY, { notBefore: expiredFrom, validDays: 30 });
    const at = new Date(expiredFrom.getTime() + 10 * DAY);
    const stamp = tsaAt(tsa, () => at);
    const pdf = await signWith(base, (s) => {
      const first = handCms(s, signer, [ministryCa.certPem], { digest: 'sha1' });
      // the timestamp covers the signature value: sign twice with the same deterministic RSA input
      const sigValue = signatureValueOf(first);
      return toBer(handCms(s, signer, [ministryCa.certPem], { digest: 'sha1', unsignedAttributes: [timestampAttr(stamp.token(sigValue))] }), { keepDer: true });
    }, { subFilter: 'adbe.pkcs7.detached', signingTime: at });
    const [r] = record('ministry: BER, SHA-1, TSA, expired cert, root not trusted', await verify(pdf));
    expect(r!.digestMatches && r!.signatureValid, 'bytes intact, cryptographically valid').to.equal(true);
    expect(r!.timestamp).to.include({ valid: true, trusted: true });
    expect(r!.validationTimeSource).to.equal('timestamp');
    expect(new Date(r!.validationTime).getTime()).to.equal(at.getTime());
    expect(r!.certificateValidAtValidationTime).to.equal(true);
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(r!.verdict.findings.map((f) => f.code)).to.include('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
    expect(pdfsigIntegrity(dir, pdf)).to.deep.equal([true]);
    // the operator imports that root: still indeterminate, now only for SHA-1
    const [trusted] = record('ministry, root imported', await verifyPdfSignatures(pdf, [der(ministryCa.certPem)], { tsaAnchorsDer: [der(ca.certPem)], softFail: true }));
    expect(trusted!.verdict).to.include({ indication: 'indeterminate', reason: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
  });

  it('an expired certificate with a trusted timestamp inside its validity: passed', async () => {
    const at = new Date(expiredFrom.getTime() + 10 * DAY);
    const stamp = tsaAt(tsa, () => at);
    const pdf = await signPdf(base, identity(expired), { signingTime: at, timestamper: async (v) => stamp.token(v) });
    const [r] = record('expired cert + trusted timestamp in validity', await verify(pdf));
    expect(r!.validationTimeSource).to.equal('timestamp');
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('the same without a timestamp: indeterminate (expired, no proof of existence)', async () => {
    const at = new Date(expiredFrom.getTime() + 10 * DAY);
    const pdf = await signPdf(base, identity(expired), { signingTime: at });
    const [r] = record('expired cert, no timestamp (/M inside validity: ignored)', await verify(pdf));
    expect(r!.validationTimeSource).to.equal('now');
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'OUT_OF_BOUNDS_NO_POE' });
  });

  it('a revoked certificate: failed (REVOKED)', async () => {
    const pdf = await signPdf(base, identity(revoked), { signingTime: new Date() });
    const [r] = record('revoked certificate', await verify(pdf));
    expect(r!.revocation.status).to.equal('revoked');
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'REVOKED' });
  });

  it('no revocation information: indeterminate; with soft-fail: passed', async () => {
    const [r] = record('no revocation information', await verify(signed, { noCrl: true }));
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'NO_REVOCATION_INFO' });
    const [s] = record('no revocation information, soft-fail', await verify(signed, { noCrl: true, softFail: true }));
    expect(s!.verdict.indication).to.equal('passed');
  });

  it('a rogue TSA: the timestamp is untrusted and the signature is validated at now', async () => {
    const stamp = tsaAt(rogueTsa, () => new Date());
    const pdf = await signPdf(base, identity(good), { signingTime: new Date(), timestamper: async (v) => stamp.token(v) });
    const [r] = record('rogue TSA', await verify(pdf));
    expect(r!.timestamp).to.include({ valid: true, trusted: false });
    expect(r!.validationTimeSource).to.equal('now');
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'TIMESTAMP_UNTRUSTED' });
  });

  it('/M in the future or the past is shown, never used: the validation time is now', async () => {
    for (const [label, m] of [['future', new Date(now + 300 * DAY)], ['past', new Date(now - 300 * DAY)]] as const) {
      const pdf = await signWith(base, (s) => handCms(s, good, [ca.certPem], { digest: 'sha256' }), { signingTime: m });
      const [r] = record(`/M in the ${label}`, await verify(pdf));
      expect(Math.abs(new Date(r!.signingTime!).getTime() - m.getTime())).to.be.below(1000);
      expect(r!.validationTimeSource).to.equal('now');
      expect(Math.abs(new Date(r!.validationTime).getTime() - Date.now())).to.be.below(60_000);
      expect(r!.verdict.indication).to.equal('passed');
    }
  });

  it('one byte flipped in the signed range: failed (HASH_FAILURE); pdfsig agrees', async () => {
    const flipped = Buffer.from(signed);
    const at = flipped.indexOf('/MediaBox');
    expect(at).to.be.above(0).and.below(lastRangeStart(signed));
    flipped[at + 1] = 0x6e; // /MediaBox → /nediaBox, inside the first signed range
    const [r] = record('one byte flipped', await verify(flipped));
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'HASH_FAILURE' });
    expect(pdfsigIntegrity(dir, flipped)).to.deep.equal([false]);
  });

  it('page content replaced by an incremental update: failed, naming the page and the revision; pdfsig still sees intact bytes', async () => {
    const f = await factsOf(signed);
    const n = f.size;
    const forged = appendUpdate(signed, f, new Map([
      [n, streamBody('', 'BT /F1 24 Tf 72 700 Td (FORGED) Tj ET')],
      [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (p) => p.set(PDFName.of('Contents'), PDFRef.of(n)))],
    ]));
    const [r] = record('page content replaced (incremental update)', await verify(forged));
    expect(r!.digestMatches && r!.signatureValid).to.equal(true);
    expect(r!.coversWholeDocument).to.equal(false);
    expect(r!.revision).to.equal(2);
    expect(r!.revisions).to.equal(3);
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(r!.verdict.message).to.match(/trang 1: nội dung bị thay đổi sau chữ ký 1 \(bản sửa đổi 3\)/i);
    expect(pdfsigIntegrity(dir, forged)).to.deep.equal([true]); // pdfsig: the signed bytes are intact
  });

  it('a page added: failed (page tree changed)', async () => {
    const f = await factsOf(signed);
    const pagesRef = f.doc.catalog.get(PDFName.of('Pages')) as PDFRef;
    const pages = (f.doc.context.lookup(pagesRef) as import('pdf-lib').PDFDict).clone(f.doc.context);
    const n = f.size;
    (pages.get(PDFName.of('Kids')) as PDFArray).push(PDFRef.of(n));
    pages.set(PDFName.of('Count'), f.doc.context.obj(2));
    const forged = appendUpdate(signed, f, new Map([
      [n, `<< /Type /Page /Parent ${pagesRef.objectNumber} 0 R /MediaBox [0 0 595 842] >>`],
      [pagesRef.objectNumber, pages.toString()],
    ]));
    const [r] = record('page added', await verify(forged));
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(r!.changes.map((c) => c.kind)).to.include('page-tree');
  });

  it("a page's resources swapped: failed (page resources changed)", async () => {
    const f = await factsOf(signed);
    const n = f.size;
    const forged = appendUpdate(signed, f, new Map([
      [n, '<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>'],
      [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (p) => p.set(PDFName.of('Resources'), f.doc.context.obj({ Font: { F1: PDFRef.of(n) } })))],
    ]));
    const [r] = record("page's resources swapped", await verify(forged));
    expect(r!.verdict).to.include({ indication: 'failed', reason: 'MODIFIED_AFTER_SIGNING' });
    expect(r!.verdict.message).to.match(/trang 1: tài nguyên trang/i);
  });

  it('an annotation added (no DocMDP restriction): passed, the change listed as allowed', async () => {
    const f = await factsOf(signed);
    const n = f.size;
    const forged = appendUpdate(signed, f, new Map([
      [n, '<< /Type /Annot /Subtype /Text /Rect [100 100 120 120] /Contents (Ghi chu) >>'],
      [f.pageRefs[0]!.objectNumber, pageWith(f, 0, (p) => {
        const annots = p.lookup(PDFName.of('Annots'));
        const list = annots instanceof PDFArray ? annots.clone() : f.doc.context.obj([]);
        list.push(PDFRef.of(n));
        p.set(PDFName.of('Annots'), list);
      })],
    ]));
    const [r] = record('annotation added', await verify(forged));
    expect(r!.changes.map((c) => [c.kind, c.allowed])).to.deep.include(['annotation', true]);
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('a form field filled: passed, the change listed as form filling', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    page.drawText('Don de nghi', { x: 72, y: 760, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
    doc.getForm().createTextField('hoten').addToPage(page, { x: 72, y: 600, width: 200, height: 20 });
    const withForm = await signPdf(Buffer.from(await doc.save({ useObjectStreams: false })), identity(good), { signingTime: new Date() });
    const f = await factsOf(withForm);
    const field = f.doc.getForm().getTextField('hoten');
    const fieldDict = field.acroField.dict.clone(f.doc.context);
    fieldDict.set(PDFName.of('V'), f.doc.context.obj('Nguyen Van A'));
    const filled = appendUpdate(withForm, f, new Map([[field.ref.objectNumber, fieldDict.toString()]]));
    const [r] = record('form field filled', await verify(filled));
    expect(r!.changes.map((c) => c.kind)).to.deep.equal(['form-fill']);
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('a second signature appended: both passed; pdfsig agrees on both', async () => {
    const twice = await signPdf(signed, identity(good), { signingTime: new Date() });
    const reports = record('second signature appended', await verify(twice));
    expect(reports.map((r) => r.verdict.indication)).to.deep.equal(['passed', 'passed']);
    expect(reports[0]!.changes.every((c) => c.allowed && c.kind === 'signature')).to.equal(true);
    expect(pdfsigIntegrity(dir, twice)).to.deep.equal([true, true]);
  });

  it('a DSS appended: passed', async () => {
    const f = await factsOf(signed);
    const n = f.size;
    const catalog = f.doc.catalog.clone(f.doc.context);
    catalog.set(PDFName.of('DSS'), PDFRef.of(n));
    const certHex = der(ca.certPem).toString('hex');
    const withDss = appendUpdate(signed, f, new Map([
      [n, `<< /Certs [${n + 1} 0 R] /CRLs [${n + 2} 0 R] >>`],
      [n + 1, `<< /Length ${certHex.length + 1} /Filter /ASCIIHexDecode >>\nstream\n${certHex}>\nendstream`],
      [n + 2, `<< /Length ${crl.toString('hex').length + 1} /Filter /ASCIIHexDecode >>\nstream\n${crl.toString('hex')}>\nendstream`],
      [f.rootRef.objectNumber, catalog.toString()],
    ]));
    const [r] = record('DSS appended', await verify(withDss));
    expect(r!.changes.map((c) => [c.kind, c.allowed])).to.deep.equal([['dss', true]]);
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('a document timestamp appended: both passed; openssl ts -verify agrees on the token', async () => {
    const stamp = tsaAt(tsa, () => new Date());
    let token: Buffer = Buffer.alloc(0);
    let content: Buffer = Buffer.alloc(0);
    const stamped = await signWith(signed, (s) => ((content = s), (token = stamp.token(s))), { docTimestamp: true });
    const reports = record('document timestamp appended', await verify(stamped));
    expect(reports.map((r) => r.kind)).to.deep.equal(['signature', 'document-timestamp']);
    expect(reports.map((r) => r.verdict.indication)).to.deep.equal(['passed', 'passed']);
    const tokenFile = dir.file('doc-ts.tsr', token);
    const dataFile = dir.file('doc-ts.bin', content);
    const caFile = dir.file('corpus-ca.pem', ca.certPem);
    const untrusted = dir.file('tsa.pem', tsa.certPem);
    const ts = run('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-data', dataFile, '-CAfile', caFile, '-untrusted', untrusted]);
    expect(ts.stdout + ts.stderr).to.contain('Verification: OK');
  });

  it('a CMS we cannot read: indeterminate "không đọc được chữ ký", never "changed after signing"', async () => {
    const pdf = await signWith(base, () => Buffer.from('3003020101', 'hex'));
    const [r] = record('unreadable CMS', await verify(pdf));
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'FORMAT_FAILURE' });
    expect(r!.verdict.message).to.contain('Không đọc được chữ ký 1');
  });
});

function lastRangeStart(pdf: Buffer): number {
  const m = /\/ByteRange\s*\[\s*0\s+(\d+)/.exec(pdf.toString('latin1'));
  return Number(m?.[1] ?? 0);
}

/** The SignerInfo signature value of a DER CMS (what a signature timestamp covers). */
function signatureValueOf(cms: Buffer): Buffer {
  return parseSignedData(cms).signer.signature;
}
