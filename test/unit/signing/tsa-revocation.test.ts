import { expect } from 'chai';
import { createDevCa, issueAgencyCertificate, issueTsaCertificate, KeyAndCert } from '../../../services/pki/dev-ca';
import { buildCrl } from '../../../services/pki/revocation/crl';
import { RevocationChecker } from '../../../services/pki/revocation/revocation-checker';
import { readCertificateFields } from '../../../services/asn1/cert-fields';
import { decodeAt } from '../../../services/asn1/der';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { tsaAt, X509Certificate } from './corpus-builders';
import { AGENCY, onePagePdf } from './signing-fixtures';

// Issue 15: a signature timestamp sets the validation time only if its TSA is trusted — which
// includes the TSA certificate's own revocation, checked by the same OCSP/CRL module as signers.
// A revoked TSA's timestamp is untrusted: the signature is validated at now.

const DAY = 86_400_000;
const der = (pem: string): Buffer => new X509Certificate(pem).raw;
const serialOf = (pem: string): Buffer => decodeAt(readCertificateFields(der(pem)).serial).content;

describe('issue 15 corpus: the TSA certificate is checked for revocation like a signer', function () {
  this.timeout(120_000);
  const now = Date.now();
  const expiredFrom = new Date(now - 400 * DAY);
  let ca: KeyAndCert;
  let good: KeyAndCert;
  let expired: KeyAndCert;
  let tsa: KeyAndCert;
  let revokedTsa: KeyAndCert;
  let checker: RevocationChecker;

  before(() => {
    ca = createDevCa({ commonName: 'TSA revocation Root CA' });
    good = issueAgencyCertificate(ca, AGENCY);
    expired = issueAgencyCertificate(ca, AGENCY, { notBefore: expiredFrom, validDays: 30 });
    tsa = issueTsaCertificate(ca, { commonName: 'Good TSA', notBefore: new Date(now - 500 * DAY), validDays: 1000 });
    revokedTsa = issueTsaCertificate(ca, { commonName: 'Revoked TSA', notBefore: new Date(now - 500 * DAY), validDays: 1000 });
    // the CA's CRL lists the second TSA (revoked a day ago); the operator imported it
    const crl = buildCrl(ca, [{ serial: serialOf(revokedTsa.certPem), revokedAt: new Date(now - DAY) }], new Date(now - 60_000), new Date(now + DAY), 7);
    checker = new RevocationChecker({ importedCrls: async () => [crl] });
  });

  const verify = (pdf: Buffer) => verifyPdfSignatures(pdf, [der(ca.certPem)], { tsaAnchorsDer: [der(ca.certPem)], revocation: checker });
  const stampedBy = async (signer: KeyAndCert, stamper: KeyAndCert, at: Date): Promise<Buffer> => {
    const stamp = tsaAt(stamper, () => at);
    return signPdf(await onePagePdf(), loadSigningIdentity(signer.keyPem, signer.certPem, [ca.certPem]), { signingTime: at, timestamper: async (v) => stamp.token(v) });
  };

  it('a good TSA: its certificate is looked up (not revoked) and its time is the validation time', async () => {
    const [r] = await verify(await stampedBy(good, tsa, new Date()));
    expect(r!.timestamp).to.include({ valid: true, trusted: true });
    expect(r!.timestamp!.tsaRevocation).to.include({ status: 'good', source: 'imported-crl' });
    expect(r!.validationTimeSource).to.equal('timestamp');
    expect(r!.verdict.indication).to.equal('passed');
  });

  it('a revoked TSA certificate: the timestamp is untrusted (TIMESTAMP_UNTRUSTED, saying why) and the signature is validated at now', async () => {
    const [r] = await verify(await stampedBy(good, revokedTsa, new Date()));
    expect(r!.timestamp).to.include({ valid: true, trusted: false });
    expect(r!.timestamp!.tsaRevocation).to.include({ status: 'revoked', source: 'imported-crl' });
    expect(r!.validationTimeSource).to.equal('now');
    expect(r!.verdict).to.include({ indication: 'indeterminate', reason: 'TIMESTAMP_UNTRUSTED' });
    expect(r!.verdict.message).to.contain('chứng thư số của đơn vị cấp dấu thời gian đã bị thu hồi');
  });

  it('an expired signer certificate with a timestamp inside its validity: passed with a good TSA, indeterminate (no proof of existence) with a revoked one', async () => {
    const at = new Date(expiredFrom.getTime() + 10 * DAY);
    const [withGood] = await verify(await stampedBy(expired, tsa, at));
    expect(withGood!.verdict.indication).to.equal('passed');
    const [withRevoked] = await verify(await stampedBy(expired, revokedTsa, at));
    expect(withRevoked!.validationTimeSource).to.equal('now');
    expect(withRevoked!.verdict).to.include({ indication: 'indeterminate', reason: 'OUT_OF_BOUNDS_NO_POE' });
    expect(withRevoked!.verdict.findings.map((f) => f.code)).to.include('TIMESTAMP_UNTRUSTED');
  });
});
