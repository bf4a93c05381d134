import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { allDelivered } from '../../support/delivery-audit';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process';
import { loopedPdf } from '../../support/hostile-inputs';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv } from '../../support/test-env';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

/**
 * PDFs that parse at the door but are hostile inside. The gateway may refuse them (4xx) or accept
 * them; if it accepts, the convert stage must fail that one document with a clear error, fast,
 * and the worker must go on to deliver the next document.
 */
describe('hostile PDFs: a looped page tree or a truncated file fails alone, with a reason', function () {
  this.timeout(120_000);
  let gw: GatewayProcess;
  let worker: WorkerProcess;
  let db: Db;
  let sender: TestAgency;
  let recipient: TestAgency;

  const submit = async (pdf: Buffer) => {
    const res = await fetch(`${gw.baseUrl}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sender.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: metadataFor([recipient.code]), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  before(async () => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
    gw = await spawnGateway();
    worker = spawnWorker();
    [sender, recipient] = (await createAgencies(db, 2)) as [TestAgency, TestAgency];
  });
  after(async () => {
    await worker.stop();
    await gw.stop();
    await db.end();
  });

  const CASES = [
    { name: 'a PDF whose page tree refers back to itself (/Kids and /Parent loop)', pdf: () => loopedPdf() },
    { name: 'a PDF cut off after 300 bytes', pdf: async () => (await makePdf(2)).subarray(0, 300) },
  ];

  for (const c of CASES) {
    it(`when an agency sends ${c.name}, then it is refused or fails in convert within seconds, and the next document still arrives`, async () => {
      const res = await submit(await c.pdf());
      if (res.status !== 202) {
        expect(res.status).to.be.within(400, 499);
        expect(res.body.error.code).to.be.a('string');
      } else {
        const failed = await waitFor(
          'the document failed with a reason',
          async () => {
            const r = await db.query(`SELECT status, last_error FROM documents WHERE id = $1`, [res.body.id]);
            return r.rows[0]?.status === 'failed' ? (r.rows[0] as { last_error: string }) : undefined;
          },
          { timeoutMs: 45_000, channels: ['lienthong_dispatch'], recheckMs: 250 },
        );
        expect(failed.last_error).to.match(/PDF|pdf/);
        const stages = await db.query(`SELECT count(*)::int AS n FROM document_files WHERE document_id = $1 AND role IN ('canonical', 'signed')`, [res.body.id]);
        expect(stages.rows[0].n, 'it went no further than convert').to.equal(0);
      }
      const next = await submit(await makePdf(1));
      expect(next.status).to.equal(202);
      await waitFor('the next document delivered', () => allDelivered(db, [next.body.id], 1), { timeoutMs: 45_000 });
      expect(worker.child.exitCode, 'the worker did not crash').to.equal(null);
    });
  }
});
