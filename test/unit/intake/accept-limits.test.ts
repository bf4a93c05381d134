import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';
import { acceptLimitsFrom, paperLimitsFrom } from '../../../services/domain/documents/accept-limits';

const base = { DATABASE_URL: 'postgres://lt@127.0.0.1:5432/lt', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: 'ab'.repeat(32), REDIS_URL: 'redis://127.0.0.1:6379' };

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

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
    const root = projectRoot();
    const offenders = [path.join(root, 'services'), path.join(root, 'workers')]
      .flatMap((d) => sources(d))
      .filter((f) => !f.endsWith(path.join('documents', 'accept-limits.ts')))
      .filter((f) => /maxRecipients:\s*config\.|futureSkewDays:\s*\d/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(offenders).to.deep.equal([]);
  });
});
