import { expect } from 'chai';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';

describe('paper dispatches: documents sent on paper outside the system are recorded for the rate', function () {
  this.timeout(60_000);
  let gw: RunningGateway;
  let a: TestAgency[];
  const body = (over: Record<string, unknown> = {}) => ({
    documentType: 'CV',
    number: '0042',
    notation: 'UBND-VP',
    issuedOn: '2026-10-01',
    subject: 'Về việc báo cáo số liệu',
    recipients: [] as string[],
    sentOn: '2026-10-02',
    ...over,
  });

  before(async () => {
    gw = await startGateway();
    a = await createAgencies(gw.db, 3, { withCertificates: false });
  });
  after(async () => gw.close());

  async function post(key: string, payload: unknown, contentType = 'application/json') {
    const res = await fetch(`${gw.baseUrl}/v1/paper-dispatches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  }

  it('when a clerk records a paper document, then it answers 201 and writes one paper_recorded ledger row per recipient, for the caller', async () => {
    const r = await post(a[0]!.apiKey, body({ recipients: [a[1]!.code, a[2]!.code] }));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.id).to.match(/^[0-9a-f-]{36}$/);
    const rows = await gw.db.query(
      `SELECT kind, sender, recipient, channel, detail FROM ledger WHERE document_id = $1 ORDER BY recipient`,
      [r.body.id],
    );
    expect(rows.rows.map(({ detail: _d, ...x }) => x)).to.deep.equal([
      { kind: 'paper_recorded', sender: a[0]!.code, recipient: a[1]!.code, channel: 'paper' },
      { kind: 'paper_recorded', sender: a[0]!.code, recipient: a[2]!.code, channel: 'paper' },
    ]);
    expect(rows.rows[0].detail).to.deep.equal({ year: 2026, number: '0042', sentOn: '2026-10-02', issuedOn: '2026-10-01', notation: 'UBND-VP' });
    const register = await gw.db.query(`SELECT last_number FROM number_registers WHERE agency_code = $1 AND year = 2026 AND kind = 'outgoing'`, [a[0]!.code]);
    expect(register.rows[0].last_number).to.equal(42);
  });

  it('when the same number is recorded again in the year, then it is refused as a duplicate', async () => {
    const r = await post(a[0]!.apiKey, body({ recipients: [a[1]!.code] }));
    expect(r.status).to.equal(409);
    expect(r.body.error.code).to.equal('DUPLICATE_DOCUMENT');
  });

  it('when a recipient is not in the directory, then it is refused with UNKNOWN_RECIPIENT and nothing is written', async () => {
    const r = await post(a[1]!.apiKey, body({ number: '7', recipients: [a[0]!.code, 'NOPE.99'] }));
    expect(r.status).to.equal(422);
    expect(r.body.error.code).to.equal('UNKNOWN_RECIPIENT');
    const rows = await gw.db.query(`SELECT count(*)::int AS n FROM paper_documents WHERE sender_code = $1`, [a[1]!.code]);
    expect(rows.rows[0].n).to.equal(0);
  });

  it('when the body is invalid, then it is refused with VALIDATION_FAILED naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ subject: undefined }, 'body.subject'],
      [{ issuedOn: '2026-02-30' }, 'issuedOn'],
      [{ sentOn: '2026-09-30' }, 'sentOn'],
      [{ sentOn: '2099-01-01' }, 'sentOn'],
      [{ documentType: 'XX' }, 'body.documentType'],
      [{ unexpected: true }, 'body'],
      [{ recipients: [] }, 'body.recipients'],
    ];
    for (const [over, path] of cases) {
      const r = await post(a[0]!.apiKey, body({ number: '8', recipients: [a[1]!.code], ...over }));
      expect(r.status, JSON.stringify(over)).to.equal(400);
      expect(r.body.error.code).to.equal('VALIDATION_FAILED');
      expect(JSON.stringify(r.body.error.details), JSON.stringify(over)).to.contain(path);
    }
    expect((await post(a[0]!.apiKey, '{"broken', 'application/json')).body.error.code).to.equal('MALFORMED_JSON');
    expect((await post(a[0]!.apiKey, 'x', 'text/plain')).status).to.equal(415);
  });

  it('when there is no API key, then it is 401', async () => {
    const res = await fetch(`${gw.baseUrl}/v1/paper-dispatches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).to.equal(401);
  });
});
