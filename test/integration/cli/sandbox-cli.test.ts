import { expect } from 'chai';
import { sandboxCommand } from '../../../services/cli/commands/sandbox.command';
import type { CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { authenticateApiKey } from '../../../services/domain/apikeys/api-key.repository';
import type { SandboxAgency } from '../../../services/domain/agencies/sandbox';
import { documentOutcomeTuples } from '../../../services/stats/edoc-rate.query';
import { documentForm, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';

describe('lienthong sandbox create: two marked test agencies, left out of the statistics', function () {
  this.timeout(90_000);
  let gw: RunningGateway;
  let sandbox: SandboxAgency[];
  const day = '2026-02-17';

  before(async () => {
    gw = await startGateway();
    const printed: unknown[] = [];
    const ctx: CliContext = { db: gw.db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
    await sandboxCommand(['create'], ctx);
    sandbox = (printed[0] as { agencies: SandboxAgency[] }).agencies;
  });
  after(async () => gw.close());

  it('when a sandbox is created, then two agencies marked sandbox and named [THỬ NGHIỆM] exist, each with a working API key and a signing certificate', async () => {
    expect(sandbox).to.have.length(2);
    const rows = await gw.db.query(`SELECT code, name, sandbox, (SELECT count(*)::int FROM agency_group_members m WHERE m.agency_code = a.code) AS groups
                                     FROM agencies a WHERE code = ANY($1) ORDER BY code`, [sandbox.map((a) => a.code)]);
    expect(rows.rows.map((r) => [r.sandbox, r.name.startsWith('[THỬ NGHIỆM]'), r.groups])).to.deep.equal([[true, true, 0], [true, true, 0]]);
    for (const a of sandbox) {
      expect((await authenticateApiKey(gw.db, a.apiKey))?.agencyCode).to.equal(a.code);
      const certs = await gw.db.query(`SELECT 1 FROM agency_certificates WHERE agency_code = $1`, [a.code]);
      expect(certs.rowCount).to.equal(1);
    }
  });

  it('when a sandbox agency sends a document, then the province figures do not count it (and would, were the agency not marked)', async () => {
    // The documents the rate is computed from (accepted ones included, before any outcome).
    const province = async () => (await documentOutcomeTuples(gw.db, { from: day, to: day, agencies: null, groupBy: 'quarter' })).reduce((n, t) => n + t.documents, 0);
    const before = await province();
    const res = await fetch(`${gw.baseUrl}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox[0]!.apiKey}` },
      body: documentForm(metadataFor([sandbox[1]!.code], { issuedOn: day }), await makePdf()),
    });
    expect(res.status, await res.clone().text()).to.equal(202);
    expect(await province()).to.equal(before);
    await gw.db.query(`UPDATE agencies SET sandbox = false WHERE code = $1`, [sandbox[0]!.code]);
    try {
      expect(await province()).to.equal(before + 1);
    } finally {
      await gw.db.query(`UPDATE agencies SET sandbox = true WHERE code = $1`, [sandbox[0]!.code]);
    }
  });
});
