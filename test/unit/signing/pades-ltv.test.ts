import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { readOcspResponse, certIdOf } from '../../../services/pki/revocation/ocsp';
import { memoryCache } from '../../../services/pki/revocation/revocation-checker';
import { augmentSignature, tokenParts } from '../../../services/signing/ltv/signature-levels';
import { renewPdf } from '../../../services/signing/ltv/timestamp-renewal';
import { ValidationDataCollector } from '../../../services/signing/ltv/validation-data';
import { signPdfDetailed, SignedPdf } from '../../../services/signing/pades-signer';
import { findSignatures } from '../../../services/signing/pdf-signature-scan';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { DAY_MS, LtvPki, ltvContext, makeLtvPki, RunningTsa, startNamedTsa } from './ltv-fixtures';
import { nssDbTrusting, onePagePdf, run, TempDir } from './signing-fixtures';

// Issue 21 item 1: B-LT (DSS with the signer's and the TSA's paths and their revocation answers)
// and B-LTA (a document timestamp over the whole file after the DSS), checked with pdf-lib's
// parser, qpdf, pdfsig and `openssl ts -verify`, and with our verifier offline (the CRL/OCSP
// service stopped) at a validation time past the signer's expiry.

interface DssSeen {
  certs: X509Certificate[];
  crls: Buffer[];
  ocsps: Buffer[];
  vriKeys: string[];
}

/** The DSS as pdf-lib (an independent parser) reads it. */
async function dssOf(pdf: Buffer): Promise<DssSeen> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const dss = doc.catalog.lookup(PDFName.of('DSS'), PDFDict);
  const streams = (key: string): Buffer[] => {
    const arr = dss.lookupMaybe(PDFName.of(key), PDFArray);
    return (arr?.asArray() ?? []).map((ref) => Buffer.from((doc.context.lookup(ref as PDFRef) as PDFRawStream).getContents()));
  };
  const vri = dss.lookup(PDFName.of('VRI'), PDFDict);
  return {
    certs: streams('Certs').map((d) => new X509Certificate(d)),
    crls: streams('CRLs'),
    ocsps: streams('OCSPs'),
    vriKeys: vri.keys().map((k) => k.asString().slice(1)),
  };
}

const sha1Upper = (b: Buffer): string => createHash('sha1').update(b).digest('hex').toUpperCase();

describe('PAdES B-LT and B-LTA', function () {
  this.timeout(60_000);
  const dir = new TempDir();
  let pki: LtvPki;
  let tsa: RunningTsa;
  let bt: SignedPdf;
  let blt: Buffer;
  let blta: Buffer;

  before(async () => {
    pki = await makeLtvPki(30);
    tsa = await startNamedTsa(pki.ca, pki.revocation, { validDays: 3650 });
    bt = await signPdfDetailed(await onePagePdf(), pki.identity, { signingTime: new Date(), timestamp: { url: tsa.url } });
    const lt = await augmentSignature({ bytes: bt.pdf }, bt.cms, 'B-LT', ltvContext(pki, tsa.url));
    // B-LTA continues the signing's own view of the document (no second parse), as the sign stage does
    const lta = await augmentSignature({ bytes: bt.pdf, ...(bt.next ? { target: bt.next } : {}) }, bt.cms, 'B-LTA', ltvContext(pki, tsa.url));
    expect(lt.level).to.equal('B-LT');
    expect(lta.level).to.equal('B-LTA');
    blt = (lt.src as { bytes: Buffer }).bytes;
    blta = (lta.src as { bytes: Buffer }).bytes;
  });
  after(async () => {
    await tsa.close();
    await pki.revocation.close();
    dir.remove();
  });

  it('B-LT appends a DSS after the signature: the signed bytes are a prefix, and qpdf finds the file sound', () => {
    expect(blt.subarray(0, bt.pdf.length).equals(bt.pdf)).to.equal(true);
    const check = run('qpdf', ['--check', dir.file('blt.pdf', blt)]);
    expect(check.status, check.stdout + check.stderr).to.equal(0);
  });

  it('the DSS holds the signer path, the TSA path and an OCSP answer for each, under the signature\'s VRI key', async () => {
    const dss = await dssOf(blt);
    const subjects = dss.certs.map((c) => c.subject);
    const signer = new X509Certificate(pki.agency.certPem);
    const ca = new X509Certificate(pki.ca.certPem);
    const tsaCert = new X509Certificate(tsa.tsa.certPem);
    expect(subjects).to.include.members([signer.subject, ca.subject, tsaCert.subject]);
    for (const cert of [signer, tsaCert]) {
      const answers = dss.ocsps.map((der) => {
        try {
          return readOcspResponse(der, certIdOf(cert, ca), ca).certStatus.status;
        } catch {
          return null;
        }
      });
      expect(answers, cert.subject).to.include('good');
    }
    expect(dss.vriKeys).to.deep.equal([sha1Upper(bt.cms)]);
  });

  it('B-LTA ends with a document timestamp covering the whole file; openssl ts -verify agrees', async () => {
    const sigs = findSignatures(blta);
    const last = sigs[sigs.length - 1]!;
    expect(sigs).to.have.length(2);
    expect(last.subFilter).to.equal('ETSI.RFC3161');
    expect(last.type).to.equal('DocTimeStamp');
    const [a, b, c, d] = last.byteRange!;
    expect(a).to.equal(0);
    expect(c + d).to.equal(blta.length);
    const data = Buffer.concat([blta.subarray(a, a + b), blta.subarray(c, c + d)]);
    const tokenFile = dir.file('doc-ts.tsr', last.contents);
    const caFile = dir.file('ca.pem', pki.ca.certPem);
    const untrusted = dir.file('tsa.pem', tsa.tsa.certPem);
    const v = run('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-data', dir.file('covered.bin', data), '-CAfile', caFile, '-untrusted', untrusted]);
    expect(v.stdout + v.stderr).to.contain('Verification: OK');
    // a changed byte anywhere in the covered data is refused
    data[100] = (data[100] ?? 0) ^ 1;
    const bad = run('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-data', dir.file('changed.bin', data), '-CAfile', caFile, '-untrusted', untrusted]);
    expect(bad.stdout + bad.stderr).to.not.contain('Verification: OK');
  });

  it('pdfsig finds the signature valid and trusted, and our verifier passes both, the DSS and the timestamp allowed', async () => {
    const out = run('pdfsig', ['-no-ocsp', '-nssdir', nssDbTrusting(dir, 'nss', pki.ca.certPem), dir.file('blta.pdf', blta)]);
    const text = out.stdout + out.stderr;
    expect(text).to.contain('Signature #1');
    expect(text.split('Signature #2')[0]).to.contain('Signature is Valid').and.to.contain('Certificate is Trusted');
    // poppler cannot validate ETSI.RFC3161 itself ("Unable to validate this type of signature"),
    // but it sees the document timestamp as the last signature, over the whole file (openssl checks its token)
    expect(text.split('Signature #2')[1]).to.contain('Total document signed');
    for (const f of ['blta.pdf']) {
      const check = run('qpdf', ['--check', dir.file(`checked-${f}`, blta)]);
      expect(check.status, check.stdout + check.stderr).to.equal(0);
    }
    const reports = await verifyPdfSignatures(blta, [pki.anchor]);
    expect(reports.map((r) => [r.kind, r.verdict.indication])).to.deep.equal([['signature', 'passed'], ['document-timestamp', 'passed']]);
    expect(reports[0]!.changes.every((c) => c.allowed)).to.equal(true);
    expect(reports[1]!.coversWholeDocument).to.equal(true);
  });

  it('offline (the CRL/OCSP service stopped) and with the clock past the signer\'s expiry, B-LT and B-LTA still pass; B-T does not', async () => {
    await pki.revocation.close();
    const later = new Date(pki.signerNotAfter.getTime() + 5 * DAY_MS);
    for (const [name, pdf] of [['B-LT', blt], ['B-LTA', blta]] as const) {
      const reports = await verifyPdfSignatures(pdf, [pki.anchor], { now: later });
      expect(reports[0]!.verdict.indication, `${name}: ${reports[0]!.verdict.message}`).to.equal('passed');
      expect(reports[0]!.validationTimeSource).to.equal('timestamp');
      expect(reports[0]!.revocation).to.include({ status: 'good', source: 'dss' });
    }
    const [plain] = await verifyPdfSignatures(bt.pdf, [pki.anchor], { now: later });
    expect(plain!.verdict).to.include({ indication: 'indeterminate', reason: 'NO_REVOCATION_INFO' });
  });
});

describe('renewal of the proof of existence', function () {
  this.timeout(60_000);
  let pki: LtvPki;
  let shortTsa: RunningTsa;
  let longTsa: RunningTsa;
  let blta: Buffer;
  let renewed: Buffer;

  before(async () => {
    pki = await makeLtvPki(30);
    shortTsa = await startNamedTsa(pki.ca, pki.revocation, { validDays: 60, commonName: 'TSA 1 (short-lived)' });
    longTsa = await startNamedTsa(pki.ca, pki.revocation, { validDays: 3650, commonName: 'TSA 2' });
    const bt = await signPdfDetailed(await onePagePdf(), pki.identity, { signingTime: new Date(), timestamp: { url: shortTsa.url } });
    blta = ((await augmentSignature({ bytes: bt.pdf }, bt.cms, 'B-LTA', ltvContext(pki, shortTsa.url))).src as { bytes: Buffer }).bytes;
    const collector = new ValidationDataCollector({ cache: memoryCache() });
    const r = await renewPdf(blta, { collector, anchors: [pki.anchor], tsa: { url: longTsa.url } });
    expect(r.previous.kind).to.equal('document-timestamp');
    expect(r.missing).to.deep.equal([]);
    expect(r.tsaNotAfter!.getTime()).to.equal(tokenParts(findSignatures(r.pdf).at(-1)!.contents).tsaNotAfter!.getTime());
    renewed = r.pdf;
  });
  after(async () => {
    await shortTsa.close();
    await longTsa.close();
    await pki.revocation.close();
  });

  it('adds one document timestamp as an incremental update: every earlier byte is unchanged', () => {
    expect(renewed.subarray(0, blta.length).equals(blta)).to.equal(true);
    expect(findSignatures(renewed).map((s) => s.subFilter)).to.deep.equal(['ETSI.CAdES.detached', 'ETSI.RFC3161', 'ETSI.RFC3161']);
    const dir = new TempDir();
    try {
      const check = run('qpdf', ['--check', dir.file('renewed.pdf', renewed)]);
      expect(check.status, check.stdout + check.stderr).to.equal(0);
    } finally {
      dir.remove();
    }
  });

  it('after the first TSA certificate expired, the renewed file passes offline; the unrenewed one has lost its proof', async () => {
    await pki.revocation.close();
    const later = new Date(Date.now() + 90 * DAY_MS); // past the signer (30 days) and TSA 1 (60 days), before TSA 2
    const reports = await verifyPdfSignatures(renewed, [pki.anchor], { now: later });
    expect(reports.map((r) => r.verdict.indication), reports.map((r) => r.verdict.message).join(' | ')).to.deep.equal(['passed', 'passed', 'passed']);
    const stale = await verifyPdfSignatures(blta, [pki.anchor], { now: later });
    expect(stale[0]!.verdict).to.include({ indication: 'indeterminate', reason: 'OUT_OF_BOUNDS_NO_POE' });
    // today every earlier timestamp of the renewed file still verifies as well
    const today = await verifyPdfSignatures(renewed, [pki.anchor]);
    expect(today.map((r) => r.verdict.indication)).to.deep.equal(['passed', 'passed', 'passed']);
  });
});
