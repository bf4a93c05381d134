import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { seedDelivered } from '../../support/seed-documents';
import { createPool, type Db } from '../../../services/db/pool';
import { searchDocuments } from '../../../services/domain/search/document-search';

/**
 * The product's pool prepares every parameterised statement once per connection (pool.ts), and
 * PostgreSQL then reuses a generic plan after five executions. A word search's reads are planned
 * for their words and agency every time instead (plannedEachTime): the generic plan cost about
 * half again as much CPU at 1,000,000 documents (25 against 17 ms per ranked read). The page's columns, whose plan does not depend on the
 * values, stay prepared. Shown on one connection by what it holds in pg_prepared_statements.
 */
describe('search statements: a word search is planned for its words every time, the page columns stay prepared', function () {
  this.timeout(60_000);
  let db: Db;
  let r: TestAgency;

  before(async () => {
    db = createPool(process.env.DATABASE_URL!, { max: 1 });
    const [s, rr, t] = (await createAgencies(db, 3, { withCertificates: false })) as [TestAgency, TestAgency, TestAgency];
    r = rr;
    await seedDelivered(db, s.code, r.code, [{ subject: 'Chuyển đổi số cấp xã' }, { subject: 'Chuyển đổi số cấp huyện' }, { subject: 'Phòng cháy chữa cháy' }]);
    await seedDelivered(db, r.code, t.code, [{ subject: 'Đề án chuyển đổi số của sở' }]);
  });

  after(async () => {
    await db?.end();
  });

  async function preparedTexts(): Promise<string[]> {
    const rows = await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
    return rows.rows.map((x) => x.statement);
  }

  it('when the same search runs seven times on one connection, then its ranked and broad reads are never prepared, its page columns are', async () => {
    for (let i = 0; i < 7; i++) {
      const ranked = await searchDocuments(db, r.code, { q: 'chuyen doi so', limit: 2 }, {}, { countLimit: 0 });
      expect(ranked.total).to.equal(3);
      const broad = await searchDocuments(db, r.code, { q: 'chuyen doi so', limit: 2 }, {}, { countLimit: 1 });
      expect(broad.totalExact).to.equal(false);
      expect(broad.items).to.have.length(2);
    }
    const texts = await preparedTexts();
    expect(texts.some((t) => t.includes('AS "incomingNumber"')), 'the page columns are prepared').to.equal(true);
    expect(texts.filter((t) => t.includes('WITH sm AS') || t.includes('WITH walk AS')), 'the ranked and broad reads').to.deep.equal([]);
  });
});
