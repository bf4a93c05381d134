import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { pkiCommand } from '../../../services/cli/commands/pki.command';
import { issueDevCertificate, openDevCa } from '../../../services/domain/pki/dev-pki';
import { listCertificates } from '../../../services/domain/pki/agency-certificate.repository';
import { checkIncomingSignatures } from '../../../services/domain/pki/incoming-signatures';
import { openPrivateKey } from '../../../services/pki/key-envelope';
import { crlUrls, ocspUrls } from '../../../services/pki/revocation/cert-urls';
import { RevocationChecker } from '../../../services/pki/revocation/revocation-checker';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../../services/signing/pades-verifier';
import { certIdOf, encodeOcspRequest, readOcspResponse } from '../../../services/pki/revocation/ocsp';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process';
import { nssDbTrusting, pdfsig } from '../../support/poppler';
import { testEnv } from '../../support/test-env';
import { onePagePdf, run, TempDir } from '../../unit/signing/signing-fixtures';
import { newAgency, testCli, TestCli } from './pki-fixtures';

// Issue 15 item 5: the development CA publishes a CRL and answers OCSP from the gateway (dev mode);
// its certificates name both; `pki revoke` shows in both at once (OCSP live, CRL valid one minute).
// openssl checks the CRL's signature and asks the OCSP responder independently.

describe('the development CA publishes a CRL and an OCSP responder; pki revoke changes the verdict', function () {
  this.timeout(120_000);
  const dir = new TempDir();
  let gw: GatewayProcess;
  let cli: TestCli;
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');

  before(async () => {
    cli = testCli();
    gw = await spawnGateway({ LIENTHONG_DEV_MODE: '1' });
  });
  after(async () => {
    await gw.stop();
    await cli.close();
    dir.remove();
  });

  it('a certificate issued by the development CA carries the CRL and OCSP URLs; verification checks them; revoking shows in both', async () => {
    const agency = await newAgency(cli.db);
    const id = await issueDevCertificate(cli.db, masterKey(), true, agency, 'rsa', { revocationBaseUrl: gw.baseUrl });
    const stored = (await listCertificates(cli.db, agency.code)).find((c) => c.id === id)!;
    const cert = new X509Certificate(stored.certPem);
    expect(crlUrls(cert)).to.deep.equal([`${gw.baseUrl}/pki/dev-ca.crl`]);
    expect(ocspUrls(cert)).to.deep.equal([`${gw.baseUrl}/pki/ocsp`]);
    const ca = await openDevCa(cli.db, masterKey(), true);
    const caFile = dir.file('dev-ca.pem', ca.certPem);
    const certFile = dir.file('agency.pem', stored.certPem);

    const key = (await cli.db.query<{ key_sealed: string }>('SELECT key_sealed FROM agency_certificates WHERE id = $1', [id])).rows[0]!.key_sealed;
    const identity = loadSigningIdentity(openPrivateKey(key, masterKey()), stored.certPem, [ca.certPem]);
    const pdf = await signPdf(await onePagePdf(), identity, { signingTime: new Date() });

    const before = await checkIncomingSignatures(cli.db, pdf);
    expect(before.signatures[0]!.verdict.indication, before.problem).to.equal('passed');
    expect(before.signatures[0]!.revocation).to.include({ status: 'good', source: 'ocsp' });
    const ocspGood = run('openssl', ['ocsp', '-issuer', caFile, '-cert', certFile, '-url', `${gw.baseUrl}/pki/ocsp`, '-CAfile', caFile]);
    expect(ocspGood.stdout + ocspGood.stderr).to.contain(': good').and.to.contain('Response verify OK');
    // NSS (poppler's pdfsig, OCSP on: it asks by GET first) accepts the responder's answers
    const nss = nssDbTrusting(ca.certPem);
    const pdfsigGood = pdfsig(pdf, nss);
    expect(pdfsigGood).to.contain('Signature is Valid').and.to.contain('Certificate is Trusted');
    const caCert = new X509Certificate(ca.certPem);
    const certId = certIdOf(cert, caCert);
    const viaGet = await fetch(`${gw.baseUrl}/pki/ocsp/${encodeURIComponent(encodeOcspRequest(certId).toString('base64'))}`);
    expect(viaGet.status).to.equal(200);
    expect(readOcspResponse(Buffer.from(await viaGet.arrayBuffer()), certId, caCert).certStatus).to.deep.equal({ status: 'good' });

    const revoked = await cli.run(pkiCommand, ['revoke', '--cert', id]);
    expect(revoked.value).to.include({ revoked: true });
    const after = await checkIncomingSignatures(cli.db, pdf);
    expect(after.signatures[0]!.verdict).to.include({ indication: 'failed', reason: 'REVOKED' });
    const ocspRevoked = run('openssl', ['ocsp', '-issuer', caFile, '-cert', certFile, '-url', `${gw.baseUrl}/pki/ocsp`, '-CAfile', caFile]);
    expect(ocspRevoked.stdout + ocspRevoked.stderr).to.contain(': revoked');
    expect(pdfsig(pdf, nss)).to.contain('Signature is Valid').and.to.contain('Certificate has been Revoked');

    // the CRL: signed by the CA (openssl verifies it), lists the serial, valid for one minute
    const crl = Buffer.from(await (await fetch(`${gw.baseUrl}/pki/dev-ca.crl`)).arrayBuffer());
    const crlFile = dir.file('dev-ca.crl', crl);
    const printed = run('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', caFile, '-noout', '-text']);
    expect(printed.stderr + printed.stdout).to.contain('verify OK');
    const serial = run('openssl', ['x509', '-in', certFile, '-noout', '-serial']).stdout.trim().split('=')[1]!;
    expect(printed.stdout.replace(/\s+/g, '')).to.contain(`SerialNumber:${serial}`);
    const next = /Next Update: (.+)/.exec(printed.stdout)?.[1];
    const last = /Last Update: (.+)/.exec(printed.stdout)?.[1];
    expect(new Date(next!).getTime() - new Date(last!).getTime()).to.equal(60_000);
    // a verifier that only reaches the CRL (no OCSP) sees the revocation too
    const crlOnly = new RevocationChecker({ fetch: async (url, init) => {
      if (init.body) throw new Error('OCSP disabled for this check');
      return Buffer.from(await (await fetch(url)).arrayBuffer());
    } });
    const [viaCrl] = await verifyPdfSignatures(pdf, [new X509Certificate(ca.certPem).raw], { revocation: crlOnly });
    expect(viaCrl!.revocation).to.include({ status: 'revoked', source: 'crl' });
    expect(viaCrl!.verdict.reason).to.equal('REVOKED');
  });
});
