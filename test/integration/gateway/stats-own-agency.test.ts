import { expect } from 'chai';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';

/** README: "any key sees its own agency" — GET /v1/stats/edoc-rate without agency= is the key's own agency. */
describe('stats: an ordinary key without agency= gets its own agency\'s figures', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let a: TestAgency;
  let b: TestAgency;

  before(async () => {
    gw = await startGateway();
    [a, b] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
  });
  after(async () => gw.close());

  it('when a read key asks without agency=, then it gets 200 and the same figures as agency=<own code>', async () => {
    const q = '/v1/stats/edoc-rate?from=2026-01-01&to=2026-12-31&groupBy=month';
    const own = await getJson(gw.baseUrl, q, a.apiKey);
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    const explicit = await getJson(gw.baseUrl, `${q}&agency=${a.code}`, a.apiKey);
    expect(explicit.status).to.equal(200);
    expect(own.body).to.deep.equal(explicit.body);
  });

  it('when a read key names another agency or a group, then it stays 403 FORBIDDEN', async () => {
    const other = await getJson(gw.baseUrl, `/v1/stats/edoc-rate?agency=${b.code}`, a.apiKey);
    expect(other.status).to.equal(403);
    expect(other.body.error.code).to.equal('FORBIDDEN');
    const group = await getJson(gw.baseUrl, '/v1/stats/edoc-rate?agency=group:any', a.apiKey);
    expect(group.status).to.equal(403);
  });

  it('when a monitor key asks without agency=, then it gets the province (200)', async () => {
    const { key } = await createApiKey(gw.db, b.code, 'monitor', ['monitor']);
    const province = await getJson(gw.baseUrl, '/v1/stats/edoc-rate?groupBy=agency', key);
    expect(province.status).to.equal(200);
  });
});
