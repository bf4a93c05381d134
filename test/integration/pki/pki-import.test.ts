import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { pkiCommand } from '../../../services/cli/commands/pki.command';
import { currentCertificate } from '../../../services/domain/pki/agency-certificate.repository';
import { issueAgencyCertificate, KeyType } from '../../../services/pki/dev-ca';
import { openPrivateKey } from '../../../services/pki/key-envelope';
import { loadSigningIdentity, signPdf } from '../../../services/signing/pades-signer';
import { testEnv } from '../../support/test-env';
import { AGENCY, makePki, nssDbTrusting, onePagePdf, pdfsig, run, TempDir, TestPki } from '../../unit/signing/signing-fixtures';
import { newAgency, rejectionOf, testCli, TestCli } from './pki-fixtures';

const PASSWORD_ENV = 'PKI_IMPORT_TEST_PASSWORD';

/** `openssl pkcs12 -export` with its defaults (AES-256/PBKDF2 in OpenSSL 3) unless `extra` says otherwise. */
function exportPkcs12(dir: TempDir, name: string, pki: TestPki, password: string, extra: string[] = []): string {
  const out = dir.file(`${name}.p12`);
  const r = run('openssl', [
    'pkcs12', '-export', '-inkey', dir.file(`${name}.key`, pki.agency.keyPem), '-in', dir.file(`${name}.crt`, pki.agency.certPem),
    '-certfile', dir.file(`${name}-ca.crt`, pki.ca.certPem), '-passout', `pass:${password}`, '-out', out, ...extra,
  ]);
  if (r.status !== 0) throw new Error(`openssl pkcs12 -export failed: ${r.stderr}`);
  return out;
}

describe('lienthong pki import', () => {
  const dir = new TempDir();
  let cli: TestCli;
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');

  before(() => {
    cli = testCli();
    process.env[PASSWORD_ENV] = 'mật khẩu 123';
  });
  after(async () => {
    delete process.env[PASSWORD_ENV];
    await cli.close();
    dir.remove();
  });

  for (const keyType of ['rsa', 'ec'] as KeyType[]) {
    it(`when a ${keyType.toUpperCase()} .p12 made by openssl is imported, then its key is stored sealed and signs a PDF pdfsig trusts`, async () => {
      const pki = makePki(keyType);
      const agency = await newAgency(cli.db);
      const p12 = exportPkcs12(dir, `agency-${keyType}`, pki, 'mật khẩu 123');
      const r = await cli.run(pkiCommand, ['import', '--agency', agency.code, p12, '--password-env', PASSWORD_ENV]);
      expect(r.value.subject).to.contain(AGENCY.agencyName);

      const stored = await currentCertificate(cli.db, agency.code);
      expect(stored?.id).to.equal(r.value.id);
      expect(stored?.keySealed).to.match(/^v1:/).and.not.to.contain('PRIVATE KEY');
      expect(stored?.chainPem.map((pem) => new X509Certificate(pem).fingerprint256)).to.deep.equal([new X509Certificate(pki.ca.certPem).fingerprint256]);
      const identity = loadSigningIdentity(openPrivateKey(stored!.keySealed, masterKey()), stored!.certPem, stored!.chainPem);
      const signed = await signPdf(await onePagePdf(), identity, { signingTime: new Date() });
      const out = pdfsig(nssDbTrusting(dir, `nss-${keyType}`, pki.ca.certPem), dir.file(`signed-${keyType}.pdf`, signed));
      expect(out).to.contain('Signature is Valid');
      expect(out).to.contain('Certificate is Trusted');
    });
  }

  it('when a legacy 3DES/SHA-1 .p12 (as older Windows tools export) is imported, then it opens with the same password', async () => {
    const pki = makePki('rsa');
    const agency = await newAgency(cli.db);
    const legacy = ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];
    const p12 = exportPkcs12(dir, 'legacy', pki, 'mật khẩu 123', legacy);
    const r = await cli.run(pkiCommand, ['import', '--agency', agency.code, p12, '--password-env', PASSWORD_ENV]);
    expect((await currentCertificate(cli.db, agency.code))?.id).to.equal(r.value.id);
  });

  it('when PEM files are imported with --cert --key --chain, then the certificate becomes the current one', async () => {
    const pki = makePki('ec');
    const agency = await newAgency(cli.db);
    const r = await cli.run(pkiCommand, [
      'import', '--agency', agency.code, '--cert', dir.file('pem.crt', pki.agency.certPem), '--key', dir.file('pem.key', pki.agency.keyPem),
      '--chain', dir.file('pem-ca.crt', pki.ca.certPem),
    ]);
    expect((await currentCertificate(cli.db, agency.code))?.id).to.equal(r.value.id);
    expect(r.human).to.contain(`imported certificate ${r.value.id} for ${agency.code}`);
  });

  describe('when the material is not acceptable, then nothing is stored and the error says why', () => {
    const refusals: [string, (agency: string) => Promise<string[]>, RegExp][] = [
      ['a wrong .p12 password', async (a) => ['import', '--agency', a, exportPkcs12(dir, 'pw', makePki('rsa'), 'right'), '--password-env', PASSWORD_ENV], /the password is wrong/],
      ['a key of another certificate', async (a) => {
        const [one, two] = [makePki('ec'), makePki('ec')];
        return ['import', '--agency', a, '--cert', dir.file('one.crt', one.agency.certPem), '--key', dir.file('two.key', two.agency.keyPem)];
      }, /the private key does not belong to the certificate/],
      ['an expired certificate', async (a) => {
        const pki = makePki('ec');
        const old = issueAgencyCertificate(pki.ca, AGENCY, { keyType: 'ec', notBefore: new Date(Date.now() - 40 * 86_400_000), validDays: 30 });
        return ['import', '--agency', a, '--cert', dir.file('old.crt', old.certPem), '--key', dir.file('old.key', old.keyPem)];
      }, /the certificate expired on \d{4}-\d{2}-\d{2}/],
      ['a 1024-bit RSA key', async (a) => {
        const key = dir.file('weak.key');
        const cert = dir.file('weak.crt');
        run('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=weak', '-days', '30']);
        return ['import', '--agency', a, '--cert', cert, '--key', key];
      }, /the RSA key has 1024 bits; at least 2048 are required/],
      ['an EC key on P-384', async (a) => {
        const key = dir.file('p384.key');
        const cert = dir.file('p384.crt');
        run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=p384', '-days', '30']);
        return ['import', '--agency', a, '--cert', cert, '--key', key];
      }, /only P-256 is accepted/],
    ];
    for (const [what, args, message] of refusals) {
      it(`when given ${what}`, async () => {
        const agency = await newAgency(cli.db);
        const err = await rejectionOf(cli.run(pkiCommand, await args(agency.code)));
        expect(err.message).to.match(message);
        expect(await currentCertificate(cli.db, agency.code)).to.equal(undefined);
      });
    }
  });
});
