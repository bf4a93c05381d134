import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { testEnv } from '../../support/test-env';

/**
 * The on-time figures compute registration_deadline() once per Vietnam arrival day, not once per
 * copy (issue 25: a province's year has a million copies). That is exact only if the deadline of
 * any arrival moment is the deadline of its Vietnam day's midnight: checked here hour by hour,
 * with minutes around Vietnam midnight, across Tết and the National Day holidays and weekends.
 */
describe('on-time: the registration deadline depends only on the Vietnam arrival day', function () {
  this.timeout(60_000);
  let db: Db;
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 1 });
  });
  after(async () => db.end());

  it('when copies arrive at any hour or near midnight around holidays and weekends, then the per-day deadline equals the per-copy one', async () => {
    const r = await db.query<{ checked: number; differ: number }>(
      `WITH moments AS (
         SELECT t FROM generate_series(timestamptz '2026-02-10 00:00+07', timestamptz '2026-02-25 00:00+07', interval '1 hour') t
         UNION ALL SELECT t FROM generate_series(timestamptz '2026-08-28 00:00+07', timestamptz '2026-09-06 00:00+07', interval '1 hour') t
         UNION ALL SELECT d + s FROM generate_series(timestamptz '2026-02-12 00:00+07', timestamptz '2026-02-22 00:00+07', interval '1 day') d,
                              unnest(ARRAY[interval '-1 microsecond', interval '0', interval '1 microsecond', interval '-1 minute']) s
       )
       SELECT count(*)::int AS checked,
              count(*) FILTER (WHERE registration_deadline(t) IS DISTINCT FROM
                registration_deadline(((t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))::int AS differ
         FROM moments`,
    );
    expect(r.rows[0]!.checked).to.be.greaterThan(500);
    expect(r.rows[0]!.differ).to.equal(0);
  });
});
