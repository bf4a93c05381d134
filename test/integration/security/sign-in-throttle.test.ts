import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { createWebUser, WebClient } from '../web/web-client';

/** A fresh client address per test, as the trusted proxy reports it in X-Forwarded-For. */
const address = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0]! % 250)}`;

/** Signs in from `ip` (through the trusted proxy) with a fresh cookie jar. */
async function signInFrom(gw: RunningGateway, ip: string, username: string, password: string): Promise<number> {
  return (await new WebClient(gw.baseUrl, { 'x-forwarded-for': ip }).signIn(username, password)).status;
}

async function attempts(gw: RunningGateway, username: string, outcome: string): Promise<number> {
  const r = await gw.db.query(`SELECT count(*)::int AS n FROM login_attempts WHERE username = $1 AND outcome = $2`, [username, outcome]);
  return r.rows[0].n;
}

async function lockedUntil(gw: RunningGateway, username: string): Promise<Date | null> {
  const r = await gw.db.query(`SELECT locked_until AS until FROM login_counters WHERE scope = 'username' AND key = $1`, [username]);
  return r.rows[0]?.until ?? null;
}

describe('sign-in throttling: one atomic count per username, a delay per address (issue 17)', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let a: TestAgency;

  before(async () => {
    // The test process is the proxy: X-Forwarded-For from 127.0.0.1 is believed.
    gw = await startGateway({ LIENTHONG_TRUSTED_PROXIES: '127.0.0.1, ::1' });
    [a] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
  });
  after(async () => gw.close());

  it('when 14 wrong passwords arrive in parallel, then at most 5 are checked, the rest find the lock, and the right password is refused', async () => {
    const victim = await createWebUser(gw.db, a.code, 'clerk');
    const ip = address();
    const statuses = await Promise.all(Array.from({ length: 14 }, (_, i) => signInFrom(gw, ip, victim.username, `sai-mat-khau-${i}`)));
    expect(statuses.every((s) => s === 401 || s === 429), statuses.join(',')).to.equal(true);
    expect(await attempts(gw, victim.username, 'failure'), 'passwords actually checked').to.be.at.most(5);
    expect(await attempts(gw, victim.username, 'locked'), 'refused without a check').to.be.at.least(9);
    expect((await lockedUntil(gw, victim.username))!.getTime()).to.be.greaterThan(Date.now() + 10 * 60_000);
    expect(await signInFrom(gw, address(), victim.username, victim.password)).to.equal(429);
  });

  it('when 14 wrong passwords and the right one arrive together, then the burst still sets the lock', async () => {
    const victim = await createWebUser(gw.db, a.code, 'clerk');
    const ip = address();
    const tries = Array.from({ length: 15 }, (_, i) => (i === 7 ? victim.password : `sai-${i}`));
    const statuses = await Promise.all(tries.map((p) => signInFrom(gw, ip, victim.username, p)));
    expect(statuses.filter((s) => s === 303).length, statuses.join(',')).to.be.at.most(1);
    expect(await attempts(gw, victim.username, 'failure')).to.be.at.most(5);
    expect(await lockedUntil(gw, victim.username), 'the burst locked the username').to.be.instanceOf(Date);
    expect(await signInFrom(gw, address(), victim.username, victim.password)).to.equal(429);
  });

  it('when 21 random usernames fail from one address, then a clerk and an admin behind it still sign in with their right passwords, only delayed', async () => {
    const clerk = await createWebUser(gw.db, a.code, 'clerk');
    const admin = await createWebUser(gw.db, a.code, 'admin');
    const shared = address();
    const flood = await Promise.all(Array.from({ length: 21 }, () => signInFrom(gw, shared, `nobody.${randomBytes(4).toString('hex')}`, 'doan-bua-1234')));
    expect(flood.every((s) => s === 401), flood.join(',')).to.equal(true);
    const counted = await gw.db.query(`SELECT attempts FROM login_counters WHERE scope = 'ip' AND key = $1`, [shared]);
    expect(counted.rows[0].attempts).to.equal(21);
    for (const user of [clerk, admin]) {
      const started = Date.now();
      expect(await signInFrom(gw, shared, user.username, user.password), user.username).to.equal(303);
      expect(Date.now() - started, 'no longer than the per-address delay').to.be.below(8_000 + 4_000);
    }
    expect(await lockedUntil(gw, clerk.username)).to.equal(null);
  });

  it('when X-Forwarded-For comes from an address that is not a trusted proxy, then it is ignored', async () => {
    const plain = await startGateway(); // no LIENTHONG_TRUSTED_PROXIES
    try {
      const spoofed = address();
      expect(await signInFrom({ ...plain, db: gw.db } as RunningGateway, spoofed, `nobody.${randomBytes(4).toString('hex')}`, 'x-1234567890')).to.equal(401);
      const spoofedRows = await gw.db.query(`SELECT count(*)::int AS n FROM login_counters WHERE scope = 'ip' AND key = $1`, [spoofed]);
      expect(spoofedRows.rows[0].n, 'the forged address was not used').to.equal(0);
    } finally {
      await plain.close();
    }
    const trusted = address();
    expect(await signInFrom(gw, trusted, `nobody.${randomBytes(4).toString('hex')}`, 'x-1234567890')).to.equal(401);
    const rows = await gw.db.query(`SELECT count(*)::int AS n FROM login_counters WHERE scope = 'ip' AND key = $1`, [trusted]);
    expect(rows.rows[0].n, 'through the trusted proxy the client address is used').to.equal(1);
  });
});
