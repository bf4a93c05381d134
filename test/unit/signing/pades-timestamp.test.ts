import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { parseSignedData } from '../../../services/signing/cms-parser';
import { OID } from '../../../services/asn1/oids';
import { loadSigningIdentity, SignedPdf, signPdfDetailed, SigningIdentity } from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { requestTimestamp } from '../../../services/signing/tsa-client';
import { TimestampUnavailableError } from '../../../services/signing/tsa-errors';
import { deadUrl, RunningTsa, startSilentServer, startTsa } from '../tsa/tsa-fixtures';
import { dumpLastCms, makePki, nssDbTrusting, onePagePdf, opensslCmsVerify, pdfsig, run, TempDir, TestPki } from './signing-fixtures';
import { rejectionOf } from '../../support/rejection';

const anchor = (pem: string): Buffer => new X509Certificate(pem).raw;


describe('when a PDF is signed B-T with a reachable TSA', () => {
  const dir = new TempDir();
  let pki: TestPki;
  let tsa: RunningTsa;
  let result: SignedPdf;
  let path: string;
  let cms: Buffer;
  let startedAt: number;

  before(async () => {
    pki = makePki('rsa');
    tsa = await startTsa(pki.ca); // the TSA certificate comes from the same development CA
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    startedAt = Date.now();
    result = await signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamp: { url: tsa.url } });
    path = dir.file('bt.pdf', result.pdf);
    cms = dumpLastCms(dir, path);
  });
  after(async () => {
    await tsa.close();
    dir.remove();
  });

  it('then the result says B-T and timestamped', () => {
    expect(result).to.include({ level: 'B-T', timestamped: true });
    expect(result.timestampError).to.equal(undefined);
  });

  it('then pdfsig still reports the signature valid and trusted over the whole document', () => {
    const out = pdfsig(nssDbTrusting(dir, 'nss', pki.ca.certPem), path);
    expect(out).to.contain('Signature is Valid');
    expect(out).to.contain('Certificate is Trusted');
    expect(out).to.contain('Total document signed');
  });

  it('then openssl prints the signature-timestamp unsigned attribute and cms -verify still succeeds', () => {
    const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', dir.file('cms.der', cms)]).stdout;
    expect(printed.slice(printed.indexOf('unsignedAttrs:'))).to.contain('id-smime-aa-timeStampToken');
    const r = opensslCmsVerify(dir, result.pdf, cms, pki.ca.certPem);
    expect(r.stderr).to.contain('Verification successful');
  });

  it('then openssl ts -verify accepts the extracted token for SHA-256 of the signature value', () => {
    const { signer } = parseSignedData(cms);
    const [token] = signer.unsignedAttributes.get(OID.timeStampToken) ?? [];
    expect(token, 'no timestamp token in the CMS').to.not.equal(undefined);
    const digest = createHash('sha256').update(signer.signature).digest('hex');
    const r = run('openssl', [
      'ts', '-verify', '-token_in', '-in', dir.file('token.der', token!.raw), '-digest', digest, '-CAfile', dir.file('ca.pem', pki.ca.certPem),
    ]);
    expect(r.stdout + r.stderr).to.contain('Verification: OK');
  });

  it('then our verifier reports the timestamp: its time, the TSA name, valid and trusted', async () => {
    const [report] = await verifyPdfSignatures(result.pdf, [anchor(pki.ca.certPem)]);
    expect(report?.problems).to.deep.equal([]);
    expect(report?.timestamp).to.include({ valid: true, trusted: true, tsaName: 'Liên Thông Development TSA (not for production)' });
    expect(report?.timestamp?.time?.getTime()).to.be.within(startedAt - 1000, Date.now() + 1000);
  });

  it('then a verifier that does not trust the TSA says so while the signature itself stays trusted', async () => {
    const foreignTsa = await startTsa(); // its own CA, unknown to the verifier
    try {
      const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
      const signed = await signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamp: { url: foreignTsa.url } });
      const [report] = await verifyPdfSignatures(signed.pdf, [anchor(pki.ca.certPem)]);
      expect(report?.chainTrusted).to.equal(true);
      expect(report?.timestamp).to.include({ valid: true, trusted: false });
      expect(report?.verdict.findings.map((f) => f.code)).to.include('TIMESTAMP_UNTRUSTED');
    } finally {
      await foreignTsa.close();
    }
  });
});

describe('when the TSA gives no timestamp', () => {
  const dir = new TempDir();
  let pki: TestPki;
  let identity: SigningIdentity;
  let down: string;

  before(async () => {
    pki = makePki('ec');
    identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    down = await deadUrl();
  });
  after(() => dir.remove());

  it('when the policy is retry, then signing fails with a retryable TimestampUnavailableError', async () => {
    const err = await rejectionOf(signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamp: { url: down, whenUnavailable: 'retry' } }));
    expect(err).to.be.instanceOf(TimestampUnavailableError);
    expect((err as TimestampUnavailableError).retryable).to.equal(true);
    expect(err.message).to.contain(down);
  });

  it('when the policy is retry and the TSA hangs, then signing gives up after the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const err = await rejectionOf(signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamp: { url: silent.url, timeoutMs: 300 } }));
      expect(err).to.be.instanceOf(TimestampUnavailableError);
      expect(Date.now() - started).to.be.below(3000);
    } finally {
      await silent.close();
    }
  });

  it('when the policy is bb, then the PDF is signed B-B, marked so, and still valid for pdfsig and our verifier', async () => {
    const result = await signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamp: { url: down, whenUnavailable: 'bb' } });
    expect(result).to.include({ level: 'B-B', timestamped: false });
    expect(result.timestampError).to.contain(down);
    const out = pdfsig(nssDbTrusting(dir, 'nss-bb', pki.ca.certPem), dir.file('bb.pdf', result.pdf));
    expect(out).to.contain('Signature is Valid');
    const [report] = await verifyPdfSignatures(result.pdf, [anchor(pki.ca.certPem)]);
    expect(report).to.include({ signatureValid: true, chainTrusted: true, timestamp: null });
  });

  it('when a timestamper returns a token for other data, then it is treated as unavailable, not embedded', async () => {
    const tsa = await startTsa(pki.ca);
    try {
      const wrong = (): Promise<Buffer> => requestTimestamp(tsa.url, createHash('sha256').update('something else').digest());
      const err = await rejectionOf(signPdfDetailed(await onePagePdf(), identity, { signingTime: new Date(), timestamper: wrong }));
      expect(err).to.be.instanceOf(TimestampUnavailableError);
      expect(err.message).to.contain('does not cover this signature value');
    } finally {
      await tsa.close();
    }
  });
});
