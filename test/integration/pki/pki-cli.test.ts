import { expect } from 'chai';
import { randomBytes, X509Certificate } from 'node:crypto';
import { pkiCommand } from '../../../services/cli/commands/pki.command';
import { currentCertificate } from '../../../services/domain/pki/agency-certificate.repository';
import { issueDevCertificate } from '../../../services/domain/pki/dev-pki';
import { PermanentStageError } from '../../../workers/runtime/stage-context';
import { signingIdentityOf } from '../../../workers/stages/signing-identities';
import { testEnv } from '../../support/test-env';
import { newAgency, rejectionOf, testCli, TestCli } from './pki-fixtures';

const DAY_MS = 86_400_000;

describe('lienthong pki: the development CA and dev certificates', () => {
  let cli: TestCli;
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');

  before(() => {
    cli = testCli();
  });
  after(() => cli.close());

  it('when dev-init runs in dev mode, then the development CA exists (and a second run keeps it)', async () => {
    const first = await cli.run(pkiCommand, ['dev-init']);
    const second = await cli.run(pkiCommand, ['dev-init']);
    expect(first.code).to.equal(0);
    expect(second.value).to.include({ created: false, fingerprint256: first.value.fingerprint256 });
    expect(second.value.subject).to.contain('Development CA');
  });

  it('when dev-init or issue runs outside dev mode, then it refuses with a sentence naming LIENTHONG_DEV_MODE', async () => {
    const agency = await newAgency(cli.db);
    for (const args of [['dev-init'], ['issue', '--agency', agency.code]]) {
      const err = await rejectionOf(cli.run(pkiCommand, args, { LIENTHONG_DEV_MODE: '0' }));
      expect(err.message).to.match(/only in dev mode \(LIENTHONG_DEV_MODE=1\): it is refused here/);
    }
    expect(await currentCertificate(cli.db, agency.code)).to.equal(undefined);
  });

  it('when ca-cert runs, then it prints the development CA certificate as PEM', async () => {
    const r = await cli.run(pkiCommand, ['ca-cert']);
    expect(r.human).to.match(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/);
    expect(new X509Certificate(r.human).ca).to.equal(true);
  });

  it('when issue runs for an EC key, then list shows the certificate as the one that signs now', async () => {
    const agency = await newAgency(cli.db);
    const issued = await cli.run(pkiCommand, ['issue', '--agency', agency.code, '--key-type', 'ec']);
    const list = await cli.run(pkiCommand, ['list', '--agency', agency.code]);
    expect(list.value).to.have.length(1);
    expect(list.value[0]).to.include({ id: issued.value.id, state: 'active', current: true });
    expect(list.value[0].subject).to.contain(`OU=${agency.code}`);
    expect(list.human).to.contain(agency.code).and.to.contain('* ');
  });

  it('when the master key is not the one the CA key was sealed with, then issue fails naming LIENTHONG_MASTER_KEY', async () => {
    const agency = await newAgency(cli.db);
    const err = await rejectionOf(cli.run(pkiCommand, ['issue', '--agency', agency.code], { LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex') }));
    expect(err.message).to.contain('LIENTHONG_MASTER_KEY').and.to.contain('sealed under another master key');
  });

  it('when issue names an agency not in the directory, then it says so', async () => {
    const err = await rejectionOf(cli.run(pkiCommand, ['issue', '--agency', 'NO.SUCH.AGENCY']));
    expect(err.message).to.contain('no agency NO.SUCH.AGENCY in the directory');
  });

  it('when a certificate expires in 10 days, then list shows the 30-day WARNING; an expired one is marked EXPIRED', async () => {
    const agency = await newAgency(cli.db);
    const now = Date.now();
    const soon = await issueDevCertificate(cli.db, masterKey(), true, agency, 'ec', { notBefore: new Date(now - 720 * DAY_MS + 3600_000), validDays: 730 });
    const gone = await issueDevCertificate(cli.db, masterKey(), true, agency, 'ec', { notBefore: new Date(now - 10 * DAY_MS), validDays: 1 });
    const list = await cli.run(pkiCommand, ['list', '--agency', agency.code]);
    const byId = (id: string): unknown => list.value.find((c: { id: string }) => c.id === id);
    const [expiring, expired] = [byId(soon), byId(gone)];
    expect(expiring).to.include({ state: 'expiring', daysLeft: 10, current: true, warning: 'WARNING: expires in 10 days' });
    expect(expired).to.include({ state: 'expired', current: false });
    expect(list.human).to.contain('WARNING: expires in 10 days').and.to.contain('EXPIRED');
  });
});

describe('lienthong pki: rollover and revocation', () => {
  let cli: TestCli;
  const masterKey = (): Buffer => Buffer.from(testEnv().masterKeyHex, 'hex');
  before(() => {
    cli = testCli();
  });
  after(() => cli.close());

  it('when a newer certificate is added while the old one is valid, then the newer signs; revoking it falls back; revoking all leaves NO_CERTIFICATE', async () => {
    const agency = await newAgency(cli.db);
    const older = await issueDevCertificate(cli.db, masterKey(), true, agency, 'ec', { notBefore: new Date(Date.now() - 30 * DAY_MS) });
    const newer = await issueDevCertificate(cli.db, masterKey(), true, agency, 'ec');
    expect((await currentCertificate(cli.db, agency.code))?.id).to.equal(newer);

    const revoked = await cli.run(pkiCommand, ['revoke', '--cert', newer]);
    expect(revoked.value).to.deep.equal({ id: newer, revoked: true });
    expect(revoked.human).to.contain('it signs no more');
    expect((await currentCertificate(cli.db, agency.code))?.id).to.equal(older);
    const identity = await signingIdentityOf(cli.db, masterKey(), agency.code);
    expect(identity.certificate.equals(new X509Certificate((await currentCertificate(cli.db, agency.code))!.certPem).raw)).to.equal(true);

    await cli.run(pkiCommand, ['revoke', '--cert', older]);
    const err = await rejectionOf(signingIdentityOf(cli.db, masterKey(), agency.code));
    expect(err).to.be.instanceOf(PermanentStageError);
    expect((err as PermanentStageError).code).to.equal('NO_CERTIFICATE');
    const list = await cli.run(pkiCommand, ['list', '--agency', agency.code]);
    expect(list.value.map((c: { state: string }) => c.state)).to.deep.equal(['revoked', 'revoked']);
  });

  it('when revoke is given an unknown or already revoked id, then it exits 1 and says there is no active certificate', async () => {
    const r = await cli.run(pkiCommand, ['revoke', '--cert', '00000000-0000-4000-8000-000000000000']);
    expect(r.code).to.equal(1);
    expect(r.human).to.contain('no active certificate');
    const bad = await rejectionOf(cli.run(pkiCommand, ['revoke', '--cert', 'not-a-uuid']));
    expect(bad.message).to.contain('is not a certificate id');
  });
});
