import { expect } from 'chai';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createDevCa, issueAgencyCertificate } from '../../../services/pki/dev-ca';
import { parseMasterKey } from '../../../services/config/master-key';
import { MasterKeyMismatchError, openPrivateKey, sealPrivateKey } from '../../../services/pki/key-envelope';
import { AGENCY, run, TempDir } from './signing-fixtures';

describe('when the development CA issues agency certificates', () => {
  const dir = new TempDir();
  const ca = createDevCa();
  const rsa = issueAgencyCertificate(ca, AGENCY);
  const ec = issueAgencyCertificate(ca, AGENCY, { keyType: 'ec' });
  after(() => dir.remove());

  const text = (pem: string): string => run('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], { input: Buffer.from(pem) }).stdout;

  it('then the CA is a critical-CA certificate with only certificate and CRL signing', () => {
    const out = text(ca.certPem);
    expect(out).to.match(/Basic Constraints: critical\s+CA:TRUE/);
    expect(out).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(out).to.contain('Subject Key Identifier');
    expect(out).to.contain('CN=Liên Thông Development CA (not for production)');
  });

  for (const [label, cert] of [['RSA', rsa], ['EC', ec]] as const) {
    it(`then openssl verifies the ${label} agency certificate for S/MIME signing against the CA`, () => {
      const caFile = dir.file('ca.pem', ca.certPem);
      const r = run('openssl', ['verify', '-CAfile', caFile, '-purpose', 'smimesign'], { input: Buffer.from(cert.certPem) });
      expect(r.status, r.stdout + r.stderr).to.equal(0);
    });

    it(`then the ${label} agency certificate names the agency in UTF-8 and allows signing only`, () => {
      const out = text(cert.certPem);
      expect(out).to.contain(`C=VN, O=${AGENCY.agencyName}, OU=${AGENCY.agencyCode}, CN=${AGENCY.agencyName}`);
      expect(out).to.match(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
      expect(out).to.match(/Extended Key Usage:\s+E-mail Protection/);
      expect(out).to.contain('Authority Key Identifier');
      expect(out).to.contain(label === 'EC' ? 'id-ecPublicKey' : 'rsaEncryption');
    });
  }

  it('then serial numbers are positive, 16 bytes at most, and differ between certificates', () => {
    const serials = [rsa, ec].map((c) => new X509Certificate(c.certPem).serialNumber);
    for (const s of serials) expect(s.length).to.be.within(2, 32);
    expect(serials[0]).to.not.equal(serials[1]);
    expect(new X509Certificate(rsa.certPem).checkIssued(new X509Certificate(ca.certPem))).to.equal(true);
  });
});

describe('when private keys are sealed under a master key', () => {
  const master = randomBytes(32);
  const keyPem = issueAgencyCertificate(createDevCa({ keyType: 'ec' }), AGENCY, { keyType: 'ec' }).keyPem;

  it('then opening with the same master key returns the original PEM', () => {
    const sealed = sealPrivateKey(keyPem, master);
    expect(sealed).to.match(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.to.contain('PRIVATE KEY');
    expect(openPrivateKey(sealed, master)).to.equal(keyPem);
  });

  it('then sealing twice gives different texts (random IV)', () => {
    expect(sealPrivateKey(keyPem, master)).to.not.equal(sealPrivateKey(keyPem, master));
  });

  it('then a wrong master key throws MasterKeyMismatchError', () => {
    const sealed = sealPrivateKey(keyPem, master);
    expect(() => openPrivateKey(sealed, randomBytes(32))).to.throw(MasterKeyMismatchError, /master key/);
  });

  it('then an altered ciphertext is refused the same way', () => {
    const [v, iv, tag, ct] = sealPrivateKey(keyPem, master).split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openPrivateKey([v, iv, tag, flipped.toString('base64')].join(':'), master)).to.throw(MasterKeyMismatchError);
  });

  it('then a master key is accepted as 64 hex characters or base64, and anything else is refused without echoing it', () => {
    expect(parseMasterKey(master.toString('hex')).equals(master)).to.equal(true);
    expect(parseMasterKey(` ${master.toString('base64')}\n`).equals(master)).to.equal(true);
    const secretish = 'hunter2-hunter2';
    let message = '';
    try {
      parseMasterKey(secretish);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.contain('64 hex characters or as base64');
    expect(message).not.to.contain(secretish);
    expect(() => parseMasterKey(randomBytes(16).toString('hex'))).to.throw(Error);
    expect(() => parseMasterKey(randomBytes(31).toString('base64'))).to.throw(Error);
  });
});
