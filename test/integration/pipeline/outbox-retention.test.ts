import { expect } from 'chai';
import { prunePublished } from '../../../services/pipeline/outbox.repository';
import { pruneOutbox } from '../../../services/pipeline/sweeper';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { uniqueTag } from '../../support/test-env';

const DAY_MS = 24 * 3600_000;

/**
 * The sweeper's outbox retention (prunePublished): rows published before the cutoff go, oldest
 * first, window after window; an unpublished row stays however old, and so does a row published
 * recently, however old its creation. The rows here are the table's oldest by id (negative ids,
 * below every bigserial id the other suites' documents get), as a year of history would be.
 */
describe('outbox retention: published rows are removed after their retention, nothing else', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  const tag = uniqueTag();
  const count = async (where: string) =>
    (await gw.db.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'tag' = $1 AND ${where}`, [tag])).rows[0].n as number;

  before(async () => {
    gw = await startGateway();
    // 12,000 rows published 30 days ago (three windows of the walk), one row never published, and
    // one created 30 days ago but published an hour ago (it waited: it is kept for its retention).
    await gw.db.query(
      `INSERT INTO outbox (id, topic, payload, priority, created_at, published_at)
       SELECT -20000 + g, 'notify', jsonb_build_object('tag', $1::text, 'n', g), 0, now() - interval '30 days' + g * interval '1 ms', now() - interval '30 days'
         FROM generate_series(1, 12000) g`,
      [tag],
    );
    await gw.db.query(
      `INSERT INTO outbox (id, topic, payload, priority, created_at, published_at) VALUES
         (-7000, 'notify', jsonb_build_object('tag', $1::text, 'kind', 'unpublished'), 0, now() - interval '30 days', NULL),
         (-6999, 'notify', jsonb_build_object('tag', $1::text, 'kind', 'late'), 0, now() - interval '30 days', now() - interval '1 hour')`,
      [tag],
    );
  });
  after(async () => {
    await gw.db.query(`DELETE FROM outbox WHERE payload->>'tag' = $1`, [tag]);
    await gw.close();
  });

  it('when retention is 0, then the sweeper keeps every row', async () => {
    expect(await pruneOutbox(gw.db, 0)).to.equal(0);
    expect(await count('true')).to.equal(12_002);
  });

  it('when the sweeper prunes with a one-day retention, then the 12,000 rows published 30 days ago are gone, across windows, and the unpublished and the recently published rows stay', async () => {
    const pruned = await prunePublished(gw.db, DAY_MS);
    expect(pruned).to.be.at.least(12_000);
    expect(await count('true')).to.equal(2);
    expect((await gw.db.query(`SELECT payload->>'kind' AS kind FROM outbox WHERE payload->>'tag' = $1 ORDER BY id`, [tag])).rows.map((r) => r.kind)).to.deep.equal(['unpublished', 'late']);
    // The suites' own rows, published minutes ago at most, are all still there.
    const young = await gw.db.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at < now() - interval '1 day'`);
    expect(young.rows[0].n).to.equal(0);
  });

  it('when the late row\'s retention has passed too, then it goes and the unpublished one still stays', async () => {
    expect(await prunePublished(gw.db, 30 * 60_000)).to.be.at.least(1);
    expect((await gw.db.query(`SELECT payload->>'kind' AS kind FROM outbox WHERE payload->>'tag' = $1`, [tag])).rows.map((r) => r.kind)).to.deep.equal(['unpublished']);
  });
});
