import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { upsertGroup } from '../../../services/domain/agencies/agency.repository';
import { acceptTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { testEnv, uniqueTag } from '../../support/test-env';

/**
 * A document's search row names its recipients from the directory (migration 0102: each by its
 * key): an agency by its name, a group by its name and its members as readers, an unknown code as
 * itself, in the order the document lists them; and it does so without reading the whole directory.
 */
describe('search row: recipients named from the directory', function () {
  this.timeout(60_000);
  let db: Db;
  let sender: TestAgency;
  let direct: TestAgency;
  let members: TestAgency[];
  let groupId: string;
  const groupName = `Nhóm Sở Ngành ${uniqueTag()}`;

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    groupId = `g-${uniqueTag().toLowerCase()}`;
    members = await createAgencies(db, 3, { withCertificates: false, group: groupId });
    await upsertGroup(db, groupId, groupName); // after: the fixture names the group its own way
    [sender, direct] = (await createAgencies(db, 2, { withCertificates: false })) as [TestAgency, TestAgency];
  });

  after(async () => {
    await db?.end();
  });

  it('when a document lists a group, an agency and an unknown code, then readers hold the members and the names come in the listed order', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const doc = await acceptTestDocument(client, { sender: sender.code, recipients: [direct.code, ...members.map((m) => m.code)] });
      const listed = [`group:${groupId}`, direct.code, 'KHONGCO.1'];
      // The trigger computes the row again when the recipients change.
      await client.query(`UPDATE documents SET recipients_ref = $2::jsonb WHERE id = $1`, [doc.documentId, JSON.stringify(listed)]);
      const row = await client.query<{ readers: string[]; meta: string; group_name: string; direct_name: string }>(
        `SELECT s.readers, s.search_meta AS meta, lt_fold($2) AS group_name, lt_fold($3) AS direct_name
           FROM document_search s WHERE s.document_id = $1`,
        [doc.documentId, groupName, direct.name],
      );
      const r = row.rows[0]!;
      const expected = [...new Set([sender.code, `>${sender.code}`, direct.code, 'KHONGCO.1', ...members.map((m) => m.code)])].sort();
      expect([...r.readers].sort()).to.deep.equal(expected);
      const at = [r.meta.indexOf(r.group_name), r.meta.indexOf(r.direct_name), r.meta.indexOf('khongco.1')];
      for (const i of at) expect(i, r.meta).to.be.greaterThan(-1);
      expect(at[0]).to.be.lessThan(at[1]!);
      expect(at[1]).to.be.lessThan(at[2]!);
      // The row is what lt_search_row() gives for the document as it is.
      const same = await client.query<{ same: boolean }>(
        `SELECT s.readers = (lt_search_row(d)).readers AND s.search_meta = (lt_search_row(d)).search_meta AND s.search_tsv = (lt_search_row(d)).search_tsv AS same
           FROM document_search s JOIN documents d ON d.id = s.document_id WHERE s.document_id = $1`,
        [doc.documentId],
      );
      expect(same.rows[0]!.same).to.equal(true);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it("when the row is computed, then of the groups' memberships only the listed group's are read", async () => {
    // Another group, larger than the listed one: reading every membership would show.
    await createAgencies(db, 12, { withCertificates: false, group: `${groupId}-other` });
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const doc = await acceptTestDocument(client, { sender: sender.code, recipients: [direct.code] });
      const before = await membershipsRead(client);
      await client.query(`UPDATE documents SET recipients_ref = $2::jsonb WHERE id = $1`, [doc.documentId, JSON.stringify([`group:${groupId}`, direct.code])]);
      const read = (await membershipsRead(client)) - before;
      // pg_stat_xact_* counts this transaction's reads: rows of a sequential scan, entries of the index.
      expect(read, 'agency_group_members rows and index entries read').to.be.at.least(members.length).and.at.most(2 * members.length);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});

/** Rows of agency_group_members read by sequential scans plus entries read from its indexes, in this transaction. */
async function membershipsRead(client: { query: Db['query'] }): Promise<number> {
  const r = await client.query<{ n: string }>(
    `SELECT COALESCE((SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'agency_group_members'), 0) AS n`,
  );
  return Number(r.rows[0]!.n);
}
