import { expect } from 'chai';
import { checkKeyParts, encodeCursor } from '../../../services/domain/paging/cursor';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';

/**
 * A forged cursor's key parts are checked against the SQL type they bind to: whatever the cursor
 * module accepts, PostgreSQL reads as that type (never a 500), and what PostgreSQL reads is not
 * refused for the number types the lists use. The oracle is PostgreSQL itself.
 */
describe('paging cursors: key parts checked against the SQL type they bind to', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let agency: TestAgency;

  before(async () => {
    gw = await startGateway();
    [agency] = (await createAgencies(gw.db, 1, { withCertificates: false })) as [TestAgency];
  });
  after(async () => {
    await gw?.close();
  });

  const FLOATS = [
    '0', '0.0', '-0', '0e999', '0.5', '-1', '1e38', '3.4028234e38', '3.40282356e38', '3.4028236e38', '-3.5e38', '1e39', '1e999', '-1e999',
    '1e-38', '1e-40', '1.4e-45', '1e-45', '8e-46', '7e-46', '1e-46', '1e-50', '1e-400', '1e308', '1.7976931348623157e308', '1.8e308',
    '4.9e-324', '3e-324', '2e-324', '1e-330', 'NaN', 'Infinity', '-Infinity', '.5', '5.', 'abc', '', '1e', '--1',
  ];
  const INTS = ['0', '-1', '2147483647', '2147483648', '-2147483648', '-2147483649', '32767', '32768', '-32769', '9223372036854775807',
    '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '99999999999999999999', '1.5', ''];
  const NUMERICS = ['1e1000', '1e1001', '1e-1000', '1e-1001', '12.5', 'NaN', 'Infinity', '-Infinity', 'x'];

  async function pgReads(type: string, value: string): Promise<boolean> {
    try {
      await gw.db.query(`SELECT $1::text::${type}`, [value]);
      return true;
    } catch {
      return false;
    }
  }
  function moduleReads(type: string, value: string): boolean {
    try {
      checkKeyParts([value], [type]);
      return true;
    } catch {
      return false;
    }
  }

  for (const [type, values] of [['real', FLOATS], ['float8', FLOATS], ['integer', INTS], ['smallint', INTS], ['bigint', INTS], ['numeric', NUMERICS]] as const) {
    it(`when a ${type} key part is forged, then the cursor module accepts exactly what PostgreSQL reads (numeric: only what it reads)`, async () => {
      for (const v of values) {
        if (v === '') continue; // the decoder refuses empty parts before the types are looked at
        // numeric: the module keeps to exponents within ±1000 (a subset of what PostgreSQL reads); never more.
        if (type === 'numeric') expect(!moduleReads(type, v) || (await pgReads(type, v)), `${type} ${JSON.stringify(v)}`).to.equal(true);
        else expect(moduleReads(type, v), `${type} ${JSON.stringify(v)}`).to.equal(await pgReads(type, v));
      }
    });
  }

  it('when a ranked search cursor carries a rank out of range for real, then 400 VALIDATION_FAILED, not 500', async () => {
    for (const rank of ['1e39', '1e-50', '1e999', '-3.5e38', '1e-400']) {
      const c = encodeCursor('a', [rank, '2026-12-07 05:08:20.5+00', '00000000-0000-0000-0000-000000000000']);
      const r = await getJson(gw.baseUrl, `/v1/search?q=ubnd&cursor=${c}`, agency.apiKey);
      expect(r.status, rank).to.equal(400);
      expect(r.body.error.code, rank).to.equal('VALIDATION_FAILED');
    }
    for (const rank of ['0.5', '1e-40', 'NaN', '-1']) {
      const c = encodeCursor('a', [rank, '2026-12-07 05:08:20.5+00', '00000000-0000-0000-0000-000000000000']);
      expect((await getJson(gw.baseUrl, `/v1/search?q=ubnd&cursor=${c}`, agency.apiKey)).status, rank).to.equal(200);
    }
  });
});
