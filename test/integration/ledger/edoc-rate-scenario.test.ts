import { expect } from 'chai';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { addDocuments, createScenarioAgencies, postPaperDispatches, SCENARIO_DOCUMENTS } from './scenario.fixture';

/**
 * The scenario (scenario.fixture.ts), worked out by hand. Copies are dispatches; "e" = electronic.
 *   Q3  D1 A1→A2,A3 delivered, signed ......... electronic, 2 copies, 2 e
 *       D2 A1→A2 delivered ...................... electronic, 1, 1
 *       D3 A1→A2 delivered, A4 paper ........... mixed, 2, 1
 *       D4 A2→A1,A3 delivered .................. electronic, 2, 2
 *       D5 A2→A3 failed ......................... mixed, 1, 0
 *       P1 A3→A1,A2 recorded on paper (API) .... paper, 2, 0
 *   Q4  D6 A1→A2,A3,A4 delivered ............... electronic, 3, 3
 *       D7 A1→A4 paper .......................... paper, 1, 0
 *       D8 A2→A1 failed, then delivered ........ electronic (latest outcome wins), 1, 1
 *       D9 A3→A1 delivered but not signed ...... mixed, 1, 0
 *       D10 A1→A2 no outcome yet ............... pending: not counted
 *       D11 A4→A1,A2 failed in the pipeline .... mixed, 2, 0
 *       P2 A1→A3 recorded on paper (API) ....... paper, 1, 0
 * On time (recipient side, electronically delivered copies; registration (03) due by the end of the
 * next working day after arrival — here arrival is the sending time — Vietnam time; 2 Sep 2026 is a holiday):
 *   D1→A2 03 same day ✓, 06 before due ✓ · D1→A3 03 two days later ✗, 06 after due ✗
 *   D2→A2 ✓ · D3→A2 sent Friday, 03 Monday ✓ · D4→A1 sent Tue, 03 Thu after the holiday ✓, 06 ✓
 *   D4→A3 no 03 (deadline passed) ✗, no 06 (due passed) ✗ · D6→A2 ✓ · D6→A3 03 at 00:30 VN of
 *   the day after the deadline ✗ · D6→A4 03 at 23:30 VN on the deadline day ✓ · D8→A1 ✓, 06 ✓ · D9→A1 ✓
 */
const ot = (dispatches: number, acknowledged: number, acknowledgedOnTime: number, acknowledgedOnTimeRate: number | null,
  withDueDate: number, completed: number, completedOnTime: number, completedOnTimeRate: number | null) =>
  ({ dispatches, acknowledged, acknowledgedOnTime, acknowledgedOnTimeRate, withDueDate, completed, completedOnTime, completedOnTimeRate });

const counts = (electronic: number, paper: number, mixed: number, total: number, rate: number | null,
  dispatches: number, electronicDispatches: number, dispatchRate: number | null, pending: number) =>
  ({ electronic, paper, mixed, total, rate, dispatches, electronicDispatches, dispatchRate, pending });

function countsOf(g: Record<string, unknown>) {
  const { electronic, paper, mixed, total, rate, dispatches, electronicDispatches, dispatchRate, pending } = g;
  return { electronic, paper, mixed, total, rate, dispatches, electronicDispatches, dispatchRate, pending };
}

describe('e-document rate: a two-quarter scenario worked out by hand', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let s: Awaited<ReturnType<typeof createScenarioAgencies>>;
  const range = 'from=2026-07-01&to=2026-12-31';

  before(async () => {
    gw = await startGateway();
    s = await createScenarioAgencies(gw.db);
    await addDocuments(gw.db, s.agencies, SCENARIO_DOCUMENTS);
    await postPaperDispatches(gw.baseUrl, s.agencies);
  });
  after(async () => gw.close());

  const stats = (query: string, key = s.monitorKey) => getJson(gw.baseUrl, `/v1/stats/edoc-rate?${query}`, key);

  it('when a monitor groups the scenario by quarter, then the counts, rates and on-time figures are the hand-worked ones', async () => {
    const r = await stats(`${range}&agency=${s.groupRef}&groupBy=quarter`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ from: '2026-07-01', to: '2026-12-31', target: 0.6, periodBasis: 'issued_on' });
    expect(countsOf(r.body.totals)).to.deep.equal(counts(5, 3, 4, 12, 0.4167, 19, 10, 0.5263, 1));
    expect(r.body.totals.onTime).to.deep.equal(ot(11, 10, 8, 0.7273, 5, 4, 3, 0.6));
    expect(r.body.totals.onTrack).to.equal(false);
    expect(r.body.groups.map((g: { key: string }) => g.key)).to.deep.equal(['2026-Q3', '2026-Q4']);
    const [q3, q4] = r.body.groups;
    expect(countsOf(q3)).to.deep.equal(counts(3, 1, 2, 6, 0.5, 10, 6, 0.6, 0));
    expect(q3.onTime).to.deep.equal(ot(6, 5, 4, 0.6667, 4, 3, 2, 0.5));
    expect(q3).to.include({ target: 0.6, onTrack: false });
    expect(countsOf(q4)).to.deep.equal(counts(2, 2, 2, 6, 0.3333, 9, 4, 0.4444, 1));
    expect(q4.onTime).to.deep.equal(ot(5, 5, 4, 0.8, 1, 1, 1, 1));
  });

  it('when grouped by month, then every month of the range is there, the empty one too', async () => {
    const r = await stats(`${range}&agency=${s.groupRef}&groupBy=month`);
    expect(r.status).to.equal(200);
    const byKey = Object.fromEntries(r.body.groups.map((g: { key: string }) => [g.key, g]));
    expect(Object.keys(byKey)).to.deep.equal(['2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    expect(countsOf(byKey['2026-07'])).to.deep.equal(counts(1, 1, 0, 2, 0.5, 4, 2, 0.5, 0));
    expect(countsOf(byKey['2026-08'])).to.deep.equal(counts(1, 0, 1, 2, 0.5, 3, 2, 0.6667, 0));
    expect(countsOf(byKey['2026-09'])).to.deep.equal(counts(1, 0, 1, 2, 0.5, 3, 2, 0.6667, 0));
    expect(countsOf(byKey['2026-10'])).to.deep.equal(counts(1, 1, 1, 3, 0.3333, 6, 3, 0.5, 0));
    expect(countsOf(byKey['2026-11'])).to.deep.equal(counts(1, 1, 1, 3, 0.3333, 3, 1, 0.3333, 1));
    expect(countsOf(byKey['2026-12'])).to.deep.equal(counts(0, 0, 0, 0, null, 0, 0, null, 0));
    expect(byKey['2026-12'].onTrack).to.equal(null);
    expect(byKey['2026-07'].onTime).to.deep.equal(ot(2, 2, 1, 0.5, 2, 2, 1, 0.5));
    expect(byKey['2026-08'].onTime).to.deep.equal(ot(2, 2, 2, 1, 0, 0, 0, null));
    expect(byKey['2026-09'].onTime).to.deep.equal(ot(2, 1, 1, 0.5, 2, 1, 1, 0.5));
    expect(byKey['2026-10'].onTime).to.deep.equal(ot(3, 3, 2, 0.6667, 0, 0, 0, null));
    expect(byKey['2026-11'].onTime).to.deep.equal(ot(2, 2, 2, 1, 1, 1, 1, 1));
  });

  it("when grouped by agency, then each sender's rate meets its own target (A1's 0.50 beats the province's 0.60) and each recipient's on-time figures are its own", async () => {
    const r = await stats(`${range}&agency=${s.groupRef}&groupBy=agency`);
    expect(r.status).to.equal(200);
    const [a1, a2, a3, a4] = s.agencies.map((a) => r.body.groups.find((g: { key: string }) => g.key === a.code));
    expect(r.body.groups).to.have.length(4);
    expect(a1.name).to.equal(s.agencies[0]!.name);
    expect(countsOf(a1)).to.deep.equal(counts(3, 2, 1, 6, 0.5, 10, 7, 0.7, 1));
    expect(a1).to.include({ target: 0.5, onTrack: true });
    expect(a1.onTime).to.deep.equal(ot(3, 3, 3, 1, 2, 2, 2, 1));
    expect(countsOf(a2)).to.deep.equal(counts(2, 0, 1, 3, 0.6667, 4, 3, 0.75, 0));
    expect(a2).to.include({ target: 0.6, onTrack: true });
    expect(a2.onTime).to.deep.equal(ot(4, 4, 4, 1, 1, 1, 1, 1));
    expect(countsOf(a3)).to.deep.equal(counts(0, 1, 1, 2, 0, 3, 0, 0, 0));
    expect(a3).to.include({ target: 0.6, onTrack: false });
    expect(a3.onTime).to.deep.equal(ot(3, 2, 0, 0, 2, 1, 0, 0));
    expect(countsOf(a4)).to.deep.equal(counts(0, 0, 1, 1, 0, 2, 0, 0, 0));
    expect(a4.onTime).to.deep.equal(ot(1, 1, 1, 1, 0, 0, 0, null));
  });

  it('when an agency asks for its own figures with its own key, then it gets them, against its own target', async () => {
    const a1 = s.agencies[0]!;
    const r = await stats(`${range}&agency=${a1.code}&groupBy=quarter`, a1.apiKey);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.target).to.equal(0.5);
    const [q3, q4] = r.body.groups;
    expect(countsOf(q3)).to.deep.equal(counts(2, 0, 1, 3, 0.6667, 5, 4, 0.8, 0));
    expect(q3).to.include({ onTrack: true });
    expect(q3.onTime).to.deep.equal(ot(1, 1, 1, 1, 1, 1, 1, 1));
    expect(countsOf(q4)).to.deep.equal(counts(1, 2, 0, 3, 0.3333, 5, 3, 0.6, 1));
    expect(q4).to.include({ onTrack: false });
    expect(q4.onTime).to.deep.equal(ot(2, 2, 2, 1, 1, 1, 1, 1));
  });

  it('when a key without the monitor scope asks for another agency, a group or the province report, then it is refused with 403; without agency= it gets its own', async () => {
    const [a1, a2] = s.agencies;
    for (const q of [`agency=${a2!.code}`, `agency=${s.groupRef}`]) {
      const r = await stats(`${range}&${q}`, a1!.apiKey);
      expect(r.status, q).to.equal(403);
      expect(r.body.error.code).to.equal('FORBIDDEN');
    }
    const own = await stats(range, a1!.apiKey);
    expect(own.status, 'no agency=: its own agency').to.equal(200);
    expect(own.body).to.deep.equal((await stats(`${range}&agency=${a1!.code}`, a1!.apiKey)).body);
    const report = await getJson(gw.baseUrl, '/v1/reports/quarterly/2026/Q3?format=csv', a1!.apiKey);
    expect(report.status).to.equal(403);
  });

  it('when the query is malformed, then it is refused with VALIDATION_FAILED', async () => {
    for (const q of ['from=2026-13-01', 'from=2026-02-30', 'groupBy=week', 'from=2026-10-01&to=2026-09-01', 'agency=not a code', 'extra=1']) {
      const r = await stats(q);
      expect(r.status, q).to.equal(400);
      expect(r.body.error.code, q).to.equal('VALIDATION_FAILED');
    }
  });
});
