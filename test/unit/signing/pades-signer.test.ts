import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { KeyType } from '../../../services/pki/dev-ca';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import {
  AGENCY, dumpLastCms, makePki, nssDbTrusting, onePagePdf, opensslCmsVerify, pdfsig, printedSignedAttributes,
  qpdfObjectStreams, run, TempDir, TestPki,
} from './signing-fixtures';

// Set when the certificates are issued (a module-level time would be older than their notBefore
// when the whole suite takes longer than the issuer's clock-skew allowance to reach this file).
let SIGNING_TIME = new Date();
const REASON = 'Ký ban hành văn bản';
const LOCATION = 'Thành phố Bắc Ninh';

type Variant = { label: string; make: (dir: TempDir) => Promise<Buffer> };
const VARIANTS: Variant[] = [
  { label: 'a pdf-lib PDF with a classic xref table', make: () => onePagePdf() },
  { label: 'a pdf-lib PDF with object streams', make: () => onePagePdf({ objectStreams: true }) },
  { label: 'a PDF rewritten by qpdf with object streams', make: async (dir) => qpdfObjectStreams(dir, await onePagePdf()) },
];

for (const keyType of ['rsa', 'ec'] as KeyType[]) {
  for (const variant of VARIANTS) {
    describe(`when ${variant.label} is signed with an ${keyType.toUpperCase()} agency key`, () => {
      const dir = new TempDir();
      let pki: TestPki;
      let original: Buffer;
      let signed: Buffer;
      let signedPath: string;
      let nss: string;

      before(async () => {
        SIGNING_TIME = new Date();
        pki = makePki(keyType);
        original = await variant.make(dir);
        const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
        signed = await signPdf(original, identity, {
          signingTime: SIGNING_TIME, reason: REASON, location: LOCATION, signerName: AGENCY.agencyName,
        });
        signedPath = dir.file('signed.pdf', signed);
        nss = nssDbTrusting(dir, 'nss-trusting', pki.ca.certPem);
      });
      after(() => dir.remove());

      it('then the original bytes are kept unchanged as the prefix (incremental update)', () => {
        expect(signed.subarray(0, original.length).equals(original)).to.equal(true);
        expect(signed.length).to.be.greaterThan(original.length);
      });

      it('then pdfsig reports a valid, trusted ETSI.CAdES.detached signature over the whole document', () => {
        const out = pdfsig(nss, signedPath);
        expect(out).to.contain('Signature is Valid');
        expect(out).to.contain('Certificate is Trusted');
        expect(out).to.contain('Signature Type: ETSI.CAdES.detached');
        expect(out).to.contain('Total document signed');
        expect(out).to.contain(`Signer Certificate Common Name: ${AGENCY.agencyName}`);
      });

      it('then openssl cms -verify accepts the CMS over the byte ranges', () => {
        const r = opensslCmsVerify(dir, signed, dumpLastCms(dir, signedPath), pki.ca.certPem);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stderr).to.contain('Verification successful');
      });

      it('then the signed attributes hold signing-certificate-v2 and no signing-time', () => {
        const attrs = printedSignedAttributes(dir, dumpLastCms(dir, signedPath));
        expect(attrs).to.contain('(1.2.840.113549.1.9.16.2.47)');
        expect(attrs).to.contain('(1.2.840.113549.1.9.4)');
        expect(attrs).not.to.contain('(1.2.840.113549.1.9.5)');
      });

      it('then qpdf finds no structural errors and reads the Vietnamese texts back', () => {
        const check = run('qpdf', ['--check', signedPath]);
        expect(check.status, check.stdout + check.stderr).to.equal(0);
        expect(check.stdout).to.contain('No syntax or stream encoding errors');
        const json = run('qpdf', ['--json', signedPath]).stdout;
        expect(json).to.contain(`"/Reason": "u:${REASON}"`);
        expect(json).to.contain(`"/Location": "u:${LOCATION}"`);
        expect(json).to.contain('"/SubFilter": "/ETSI.CAdES.detached"');
        expect(json).to.contain('"/ESIC"');
      });

      it('then our verifier agrees on every check', async () => {
        const [report, ...rest] = await verifyPdfSignatures(signed, [new X509Certificate(pki.ca.certPem).raw]);
        expect(rest).to.have.length(0);
        expect(report).to.deep.include({
          coversWholeDocument: true, digestMatches: true, signatureValid: true, chainTrusted: true,
          subFilter: 'ETSI.CAdES.detached', hasSigningTimeAttr: false, hasSigningCertificateV2: true,
          signingCertificateV2Matches: true, signerCommonName: AGENCY.agencyName, reason: REASON, location: LOCATION,
        });
        expect(report?.problems).to.deep.equal([]);
        expect(report?.signingTime?.getTime()).to.equal(Math.floor(SIGNING_TIME.getTime() / 1000) * 1000);
      });
    });
  }
}

describe('when an already signed PDF is signed a second time', () => {
  const dir = new TempDir();
  let pki: TestPki;
  let twice: Buffer;
  let path: string;

  before(async () => {
    pki = makePki('rsa');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    const once = await signPdf(qpdfObjectStreams(dir, await onePagePdf()), identity, { signingTime: new Date() });
    twice = await signPdf(once, identity, { signingTime: new Date(), reason: 'Counter-signature' });
    path = dir.file('twice.pdf', twice);
  });
  after(() => dir.remove());

  it('then pdfsig finds both signatures valid and only the second covers the whole file', () => {
    const out = pdfsig(nssDbTrusting(dir, 'nss', pki.ca.certPem), path);
    expect(out.match(/Signature is Valid/g)).to.have.length(2);
    expect(out.match(/Total document signed/g)).to.have.length(1);
    expect(out).to.contain('Signature Field Name: Signature2');
  });

  it('then our verifier reports the first as valid but no longer covering the whole document', async () => {
    const reports = await verifyPdfSignatures(twice, [new X509Certificate(pki.ca.certPem).raw]);
    expect(reports.map((r) => [r.signatureValid, r.digestMatches, r.coversWholeDocument])).to.deep.equal([
      [true, true, false],
      [true, true, true],
    ]);
  });
});

describe('when the PDF has a broken startxref offset', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('then it is rewritten once and the signature still validates with pdfsig', async () => {
    const pki = makePki('rsa');
    const pdf = await onePagePdf();
    const broken = Buffer.from(pdf.toString('latin1').replace(/startxref\s+\d+/, 'startxref\n999999'), 'latin1');
    const identity = loadSigningIdentity(pki.agency.keyPem, pki.agency.certPem, [pki.ca.certPem]);
    const signed = await signPdf(broken, identity, { signingTime: new Date() });
    const out = pdfsig(nssDbTrusting(dir, 'nss', pki.ca.certPem), dir.file('fixed.pdf', signed));
    expect(out).to.contain('Signature is Valid');
    expect(out).to.contain('Total document signed');
  });
});
