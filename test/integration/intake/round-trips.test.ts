import { expect } from 'chai';
import { RoundTripCounter } from '../../../services/db/round-trips';
import { verifyLedger } from '../../../services/domain/ledger/ledger-verify';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';

/**
 * The accept path's cost is mostly PostgreSQL round trips (the CPU profile of the gateway under
 * load is `writev ← pg`). The gateway's pool counts its round trips (RoundTripCounter), so a change
 * that adds one to a submission's budget shows up here rather than as a slower benchmark.
 */
describe('accept: PostgreSQL round trips per submission', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipients: TestAgency[];
  let pdf: Buffer;
  const roundTrips = new RoundTripCounter();

  before(async () => {
    gw = await startGateway({}, { roundTrips });
    [sender, ...recipients] = (await createAgencies(gw.db, 6, { withCertificates: false, signers: 1 })) as [TestAgency, ...TestAgency[]];
    pdf = await makePdf(1);
  });
  after(async () => {
    await gw.close();
  });

  const counted = (fn: () => Promise<unknown>): Promise<string[]> => roundTrips.during(fn);

  it('when a key that was just used sends a one-page PDF to 5 known recipients, then the accept is ONE statement (register, document, files, dispatches, outbox and, last, the ledger row), with no BEGIN or COMMIT', async () => {
    const to = recipients.map((r) => r.code);
    expect((await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to), pdf))).status).to.equal(202);
    const statements = await counted(async () => {
      const res = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to), pdf));
      expect(res.status).to.equal(202);
    });
    // Issue 25: one round trip (it was BEGIN, the insert, the ledger append and COMMIT).
    expect(statements.length, statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 60)).join('\n')).to.equal(1);
    expect(statements[0]).to.match(/INSERT INTO documents/).and.to.match(/ledger_append\('document_accepted'/);
    // The key was verified a moment ago, and the recipients are agencies seen before.
    expect(statements.filter((s) => /api_keys|agency_groups|FROM agencies/.test(s))).to.deep.equal([]);
    const dispatches = await gw.db.query(
      `SELECT count(*)::int AS n FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE d.sender_code = $1`,
      [sender.code],
    );
    expect(dispatches.rows[0].n).to.equal(10);
    // The accept row written inside the statement is the one appendLedger wrote: its detail, and a
    // hash over the very text JSON.stringify makes of it (a notation with letters to escape too).
    const odd = { ...metadataFor(to), notation: 'QĐ-UBND "Tỉnh" \\ Sở' };
    expect((await postDocument(gw.baseUrl, sender.apiKey, documentForm(odd, pdf))).status).to.equal(202);
    const accepted = await gw.db.query(
      `SELECT d.number, d.notation, d.year, l.detail FROM ledger l JOIN documents d ON d.id = l.document_id
        WHERE l.kind = 'document_accepted' AND d.sender_code = $1 ORDER BY l.id`,
      [sender.code],
    );
    expect(accepted.rows.map((r) => r.detail)).to.deep.equal(accepted.rows.map((r) => ({ number: r.number, notation: r.notation, year: r.year, recipients: 5 })));
    expect(accepted.rows.map((r) => r.notation)).to.include(odd.notation);
    const v = await verifyLedger(gw.db);
    expect(v, JSON.stringify(v)).to.include({ ok: true });
  });

  it('when a submission carries an Idempotency-Key and a number, then both are checked in one lookup statement', async () => {
    const to = recipients.map((r) => r.code);
    const statements = await counted(async () => {
      const res = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to, { number: '77', issuedOn: '2025-01-09' }), pdf), {
        'Idempotency-Key': `rt-${Date.now()}`,
      });
      expect(res.status).to.equal(202);
    });
    expect(statements.length).to.be.at.most(6);
    const row = await gw.db.query(`SELECT number FROM documents WHERE sender_code = $1 AND year = 2025`, [sender.code]);
    expect(row.rows.map((r) => r.number)).to.deep.equal(['77']);
    const register = await gw.db.query(`SELECT last_number FROM number_registers WHERE agency_code = $1 AND year = 2025 AND kind = 'outgoing'`, [sender.code]);
    expect(register.rows[0].last_number).to.equal(77);
  });
});
