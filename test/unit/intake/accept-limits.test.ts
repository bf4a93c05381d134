import { expect } from 'chai';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';
import { acceptLimitsFrom, paperLimitsFrom } from '../../../services/domain/documents/accept-limits';
import { filesSpelling } from '../../support/source-files';

const base = { DATABASE_URL: 'postgres://lt@127.0.0.1:5432/lt', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: 'ab'.repeat(32), REDIS_URL: 'redis://127.0.0.1:6379' };


describe('acceptance limits: one function from the configuration', () => {
  it('when the configuration names a trust store, a recipient bound and a signature policy, then the limits carry all of them', () => {
    const config = loadConfig({
      ...base,
      LIENTHONG_MAX_RECIPIENTS: '7',
      LIENTHONG_TRUST_STORE: '/etc/lienthong/trust',
      LIENTHONG_SIGNATURE_INTAKE_POLICY: 'refuse-indeterminate',
      LIENTHONG_REVOCATION_SOFT_FAIL: '1',
    });
    const limits = acceptLimitsFrom(config);
    expect(limits).to.deep.include({ maxRecipients: 7, futureSkewDays: 1, trustStoreDir: '/etc/lienthong/trust' });
    expect(limits.signatures).to.deep.include({ policy: 'refuse-indeterminate', softFail: true });
    expect(paperLimitsFrom(config)).to.deep.equal({ maxRecipients: 7, futureSkewDays: 1 });
  });

  it('when the routes are read, then none builds its limits by hand (the web send form and drafts included)', () => {
    const offenders = filesSpelling(projectRoot(), ['services', 'workers'], /maxRecipients:\s*config\.|futureSkewDays:\s*\d/)
      .filter((f) => f !== 'services/domain/documents/accept-limits.ts');
    expect(offenders).to.deep.equal([]);
  });
});
