import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { signMissingReceipts } from '../../../services/domain/receipts/receipt.repository';
import { verifySeal } from '../../../services/signing/cms-seal';
import { acceptTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies } from '../../support/agencies.fixture';
import { testEnv } from '../../support/test-env';

/**
 * The proof scheduler asks for up to 500 owed receipts at once; they are sealed and inserted in
 * slices of 64 statements' worth (receipt.repository.ts). Every receipt must still be made, once,
 * each content sealed by its own CMS, however the list falls across slices.
 */
describe('receipts owed in a batch larger than one statement holds', function () {
  this.timeout(120_000);
  let db: Db;
  const keys = () => ({ masterKey: Buffer.from(testEnv().masterKeyHex, 'hex'), devMode: true });
  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  after(async () => db.end());

  it('when 150 arrivals and registrations owe receipts, then 150 are made, each verifies and names its event; asked again, none is made twice', async () => {
    const [sender, ...recipients] = await createAgencies(db, 4);
    const { dispatchIds } = await acceptTestDocument(db, { sender: sender!.code, recipients: recipients.map((a) => a.code) });
    // 50 events on each copy (the receipts do not care that a copy arrived more than once), and
    // one status-05 event, which owes nothing.
    const events = await db.query<{ id: string }>(
      `INSERT INTO dispatch_events (dispatch_id, code, actor, note)
       SELECT d, CASE WHEN n % 2 = 0 THEN '01' ELSE '03' END, 'lienthong', NULL
         FROM unnest($1::uuid[]) AS d, generate_series(1, 50) AS n
       RETURNING id`,
      [dispatchIds],
    );
    const other = await db.query<{ id: string }>(`INSERT INTO dispatch_events (dispatch_id, code, actor) VALUES ($1, '05', 'lienthong') RETURNING id`, [dispatchIds[0]]);
    const ids = [...events.rows.map((e) => Number(e.id)), Number(other.rows[0]!.id)];

    expect(await signMissingReceipts(db, keys(), ids)).to.equal(150);
    const stored = await db.query<{ eventId: string; code: string; content: Buffer; cms: Buffer }>(
      `SELECT event_id AS "eventId", code, content, cms FROM dispatch_receipts WHERE event_id = ANY($1::bigint[]) ORDER BY event_id`,
      [ids],
    );
    expect(stored.rows.map((r) => Number(r.eventId))).to.deep.equal(ids.slice(0, 150).sort((a, b) => a - b));
    const seal = await db.query<{ chain_pem: string[] | string }>(`SELECT chain_pem FROM hub_seal_certificates ORDER BY created_at DESC LIMIT 1`);
    const chain = seal.rows[0]!.chain_pem;
    const anchors = (Array.isArray(chain) ? chain : [chain]).map((pem) => new X509Certificate(pem));
    for (const r of stored.rows) {
      const check = verifySeal(r.cms, anchors, new Date());
      expect(check.ok, `receipt of event ${r.eventId}: ${check.problems.join('; ')}`).to.equal(true);
      expect(Buffer.compare(check.content!, r.content)).to.equal(0);
      expect(JSON.parse(r.content.toString('utf8'))).to.include({ eventId: Number(r.eventId), statusCode: r.code });
    }
    expect(await signMissingReceipts(db, keys(), ids)).to.equal(0);
  });
});
