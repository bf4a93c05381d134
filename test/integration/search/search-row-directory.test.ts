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

  it('when the row is computed, then the directory is read by key, not scanned', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      // Scans priced out: a plan that can only read the whole agencies or memberships table errors here.
      await client.query(`SET LOCAL enable_seqscan = off`);
      const doc = await acceptTestDocument(client, { sender: sender.code, recipients: [direct.code] });
      const before = await scans(client);
      await client.query(`UPDATE documents SET recipients_ref = $2::jsonb WHERE id = $1`, [doc.documentId, JSON.stringify([`group:${groupId}`, direct.code])]);
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT lt_document_readers($1, $2::jsonb)`,
        [sender.code, JSON.stringify([`group:${groupId}`, direct.code])],
      );
      expect(plan.rows.map((x) => x['QUERY PLAN']).join('\n')).to.not.match(/Seq Scan on agency_group_members/);
      const after = await scans(client);
      // pg_stat counters are per transaction until it ends: compare what this one did.
      expect(after.agencies - before.agencies, 'sequential scans of agencies').to.equal(0);
      expect(after.members - before.members, 'sequential scans of agency_group_members').to.equal(0);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});

async function scans(client: { query: Db['query'] }): Promise<{ agencies: number; members: number }> {
  const r = await client.query<{ agencies: string; members: string }>(
    `SELECT (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'agencies') AS agencies,
            (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'agency_group_members') AS members`,
  );
  return { agencies: Number(r.rows[0]!.agencies ?? 0), members: Number(r.rows[0]!.members ?? 0) };
}
