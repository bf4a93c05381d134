import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { queryOperations, runQueryFuzz } from '../../support/query-fuzz';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';

describe('property: random strings in every query parameter of every route never answer 5xx (issue 17)', function () {
  this.timeout(300_000);
  let gw: RunningGateway;
  let a: TestAgency;

  before(async () => {
    gw = await startGateway({ LIENTHONG_RATE_LIMIT_PER_MIN: '0' });
    const [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
    a = sender;
    // A page of each list, so that cursors and filters meet real rows.
    for (let i = 0; i < 3; i++) await postDocument(gw.baseUrl, a.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
  });
  after(async () => gw.close());

  it('when the OpenAPI document is read, then the routes with query parameters are all found', () => {
    const found = queryOperations().map((o) => `${o.method} ${o.path}`);
    expect(found).to.include.members(['GET /v1/inbox', 'GET /v1/outbox', 'GET /v1/stats/edoc-rate', 'GET /v1/reports/quarterly/{year}/{quarter}']);
  });

  for (const [who, scopes] of [['an agency key', ['send', 'read', 'status']], ['a monitor key', ['monitor']]] as const) {
    it(`when 600 random queries are sent with ${who}, then none answers 5xx and every refusal carries an error code`, async () => {
      const key = (await createApiKey(gw.db, a.code, who, [...scopes])).key;
      const report = await runQueryFuzz(gw.baseUrl, key, { runs: 600, seed: Date.now() % 100_000 });
      expect(report.inputs).to.equal(600);
      expect(report.serverErrors, report.samples.join('\n')).to.equal(0);
      expect(report.withoutErrorCode).to.equal(0);
      expect(Object.keys(report.byStatus).some((s) => s.startsWith('4')), 'bad values are refused').to.equal(true);
    });
  }
});
