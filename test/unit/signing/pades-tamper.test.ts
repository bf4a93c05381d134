import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { createDevCa, issueAgencyCertificate } from '../../../services/pki/dev-ca';
import { SignatureTooLargeError, SigningIdentityError, UnsignablePdfError } from '../../../services/signing/errors';
import { loadSigningIdentity, signPdf, SigningIdentity } from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import {
  AGENCY, dumpLastCms, lastByteRange, makePki, nssDbTrusting, onePagePdf, opensslCmsVerify, pdfsig, TempDir, TestPki,
} from './signing-fixtures';

const anchor = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('when a signed PDF is checked after tampering or against the wrong root', () => {
  const dir = new TempDir();
  let pki: TestPki;
  let identity: SigningIdentity;
  let signed: Buffer;

  before(async () => {
    pki = makePki('rsa');
    identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    signed = await signPdf(await onePagePdf(), identity, { signingTime: new Date(), reason: 'Ký số' });
  });
  after(() => dir.remove());

  describe('when one byte inside the first signed range is changed', () => {
    let tampered: Buffer;
    let path: string;
    before(() => {
      tampered = Buffer.from(signed);
      // inside the page content region of the original file, well before /Contents
      const at = Math.floor(lastByteRange(signed)[1] / 2);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      path = dir.file('tampered.pdf', tampered);
    });

    it('then pdfsig does not call the signature valid', () => {
      const out = pdfsig(nssDbTrusting(dir, 'nss-tamper', pki.ca.certPem), path);
      expect(out).to.contain('Signature #1');
      expect(out).not.to.contain('Signature is Valid');
    });

    it('then openssl cms -verify fails', () => {
      const r = opensslCmsVerify(dir, tampered, dumpLastCms(dir, path), pki.ca.certPem);
      expect(r.status).to.not.equal(0);
      expect(r.stderr).to.match(/digest failure|verification failure/i);
    });

    it('then our verifier reports the digest mismatch but a valid attribute signature', async () => {
      const [report] = await verifyPdfSignatures(tampered, [anchor(pki.ca.certPem)]);
      expect(report?.digestMatches).to.equal(false);
      expect(report?.signatureValid).to.equal(true); // the signed attributes themselves were untouched
      expect(report?.problems.join(' ')).to.contain('digest');
    });
  });

  describe('when bytes are appended after the signature', () => {
    it('then our verifier says the signature no longer covers the whole document', async () => {
      const appended = Buffer.concat([signed, Buffer.from('\n% appended later\n')]);
      const [report] = await verifyPdfSignatures(appended, [anchor(pki.ca.certPem)]);
      expect(report?.digestMatches).to.equal(true);
      expect(report?.coversWholeDocument).to.equal(false);
    });
  });

  describe('when /Contents holds bytes that are not a CMS', () => {
    it('then our verifier reports the signature as unverifiable instead of throwing', async () => {
      const garbled = Buffer.from(signed);
      const at = garbled.lastIndexOf('/Contents <') + '/Contents <'.length;
      garbled.write('3003020101', at, 'latin1'); // a well-formed SEQUENCE that is no ContentInfo
      const [report] = await verifyPdfSignatures(garbled, [anchor(pki.ca.certPem)]);
      expect(report?.signatureValid).to.equal(false);
      expect(report?.chainTrusted).to.equal(false);
      // a structure we cannot read is reported as such, never as "changed after signing"
      expect(report?.verdict.indication).to.equal('indeterminate');
      expect(report?.verdict.reason).to.equal('FORMAT_FAILURE');
      expect(report?.problems.join(' ')).to.contain('Không đọc được chữ ký');
    });
  });

  describe('when the verifier trusts a different root with the same name', () => {
    const otherRoot = createDevCa();

    it('then pdfsig does not report the certificate as trusted', () => {
      const out = pdfsig(nssDbTrusting(dir, 'nss-other', otherRoot.certPem), dir.file('signed.pdf', signed));
      expect(out).to.contain('Signature is Valid');
      expect(out).not.to.contain('Certificate is Trusted');
    });

    it('then our verifier reports chainTrusted false while the signature itself is valid', async () => {
      const [report] = await verifyPdfSignatures(signed, [anchor(otherRoot.certPem)]);
      expect(report?.signatureValid).to.equal(true);
      expect(report?.chainTrusted).to.equal(false);
    });
  });

  describe('when the certificate is not yet valid at the validation time (now, no timestamp)', () => {
    it('then our verifier reports the certificate invalid at that time (indeterminate, NOT_YET_VALID)', async () => {
      const later = issueAgencyCertificate(pki.ca, AGENCY, { notBefore: new Date(Date.now() + 86_400_000) });
      // signPdf itself refuses a certificate outside its validity; without the validity the
      // identity signs anyway, which is what a foreign signer's software may do.
      const { notBefore: _nb, notAfter: _na, ...early } = loadSigningIdentity(later.keyPem, later.certPem, [pki.ca.certPem]);
      const pdf = await signPdf(await onePagePdf(), early, { signingTime: new Date() });
      const [report] = await verifyPdfSignatures(pdf, [anchor(pki.ca.certPem)]);
      expect(report?.signatureValid).to.equal(true);
      expect(report?.chainTrusted).to.equal(true); // the path reaches the root; validity is judged apart
      expect(report?.certificateValidAtValidationTime).to.equal(false);
      expect(report?.verdict.reason).to.equal('NOT_YET_VALID');
    });
  });
});

describe('when the signer is given unusable input', () => {
  it('then a key that does not belong to the certificate is refused', () => {
    const a = makePki('rsa');
    const b = makePki('rsa');
    expect(() => loadSigningIdentity(b.agency.keyPem, a.agency.certPem)).to.throw(/does not belong/);
  });

  it('then a chain too large for the reserved /Contents fails with SignatureTooLargeError', async () => {
    const pki = makePki('rsa');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem);
    const bloated = { ...identity, chain: Array.from({ length: 40 }, () => anchor(pki.ca.certPem)) };
    let caught: unknown;
    await signPdf(await onePagePdf(), bloated, { signingTime: new Date() }).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(SignatureTooLargeError);
  });

  it('then an expired certificate is refused with a sentence giving its end date', async () => {
    const pki = makePki('ec');
    const expired = issueAgencyCertificate(pki.ca, AGENCY, { keyType: 'ec', notBefore: new Date(Date.now() - 3 * 86_400_000), validDays: 1 });
    const identity = loadSigningIdentity(expired.keyPem, expired.certPem, [pki.ca.certPem]);
    let caught: unknown;
    await signPdf(await onePagePdf(), identity, { signingTime: new Date() }).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(SigningIdentityError);
    expect((caught as Error).message).to.match(/the signer certificate expired on \d{4}-\d{2}-\d{2}T/);
  });

  it('then bytes that are not a PDF are refused with UnsignablePdfError', async () => {
    const pki = makePki('ec');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem);
    let caught: unknown;
    await signPdf(Buffer.from('hello, not a pdf'), identity, { signingTime: new Date() }).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(UnsignablePdfError);
  });
});
