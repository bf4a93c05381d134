import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';

describe('gateway protections: rate limit per API key and security headers', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let a: TestAgency;
  let b: TestAgency;

  before(async () => {
    gw = await startGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '5' });
    [a, b] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
  });
  after(async () => gw.close());

  it('when one key passes its limit, then it gets 429 RATE_LIMITED with Retry-After, and another key is not affected', async () => {
    const call = (key: string) => fetch(`${gw.baseUrl}/v1/inbox`, { headers: { authorization: `Bearer ${key}` } });
    // The window is the clock minute: wait out a minute boundary that is about to fall mid-test.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 3_000) await new Promise((r) => setTimeout(r, msLeft + 50));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(a.apiKey)).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200]);
    const limited = await call(a.apiKey);
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
    expect(((await limited.json()) as any).error.code).to.equal('RATE_LIMITED');
    expect((await call(b.apiKey)).status).to.equal(200);
  });

  it('when the API answers, then it carries the security headers', async () => {
    const res = await fetch(`${gw.baseUrl}/health/live`);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'");
    expect(res.headers.get('x-powered-by')).to.equal(null);
  });
});
