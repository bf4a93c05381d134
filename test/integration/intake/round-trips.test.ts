import { expect } from 'chai';
import { RoundTripCounter } from '../../../services/db/round-trips';
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

  it('when a key that was just used sends a one-page PDF to 5 known recipients, then the accept costs at most 5 statements (BEGIN, one insert, ledger, COMMIT)', async () => {
    const to = recipients.map((r) => r.code);
    expect((await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to), pdf))).status).to.equal(202);
    const statements = await counted(async () => {
      const res = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor(to), pdf));
      expect(res.status).to.equal(202);
    });
    // The ledger append is one or two statements (its own module decides); everything else is ours.
    expect(statements.length, statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 60)).join('\n')).to.be.at.most(5);
    // The key was verified a moment ago, and the recipients are agencies seen before.
    expect(statements.filter((s) => /api_keys|agency_groups|FROM agencies/.test(s))).to.deep.equal([]);
    const dispatches = await gw.db.query(
      `SELECT count(*)::int AS n FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE d.sender_code = $1`,
      [sender.code],
    );
    expect(dispatches.rows[0].n).to.equal(10);
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
