import { expect } from 'chai';
import { inTransaction } from '../../../services/db/pool';
import { cached, createDatabaseRegistry } from '../../../services/metrics/database-metrics';
import { observeStage } from '../../../services/metrics/metrics';
import { startMetricsServer } from '../../../services/metrics/metrics-server';
import { acceptTestDocument } from '../../support/accepted-document.fixture';
import { createAgencies } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { seedDelivered } from '../../support/seed-documents';

describe('metrics: Prometheus text at /metrics', function () {
  this.timeout(60_000);
  let gw: RunningGateway;

  before(async () => {
    gw = await startGateway();
    await createAgencies(gw.db, 1); // with a certificate, for the expiry gauge
  });
  after(async () => gw.close());

  it('when Prometheus scrapes the gateway without an API key, then it gets process, database and queue metrics', async () => {
    const res = await fetch(`${gw.baseUrl}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/plain');
    const text = await res.text();
    for (const name of [
      'process_cpu_seconds_total',
      '# TYPE lienthong_documents_total gauge',
      '# TYPE lienthong_dispatches_total gauge',
      '# TYPE lienthong_failed_dispatches gauge',
      '# TYPE lienthong_edoc_rate gauge',
      '# TYPE lienthong_stage_duration_seconds histogram',
      'lienthong_queue_depth{queue="convert",state="waiting"}',
      'lienthong_queue_depth{queue="reports",state="delayed"}',
      'lienthong_certificate_expiry_seconds{agency="',
    ]) {
      expect(text, name).to.contain(name);
    }
    expect(/^lienthong_certificate_expiry_seconds\{agency="[^"]+"\} (\d+)$/m.exec(text)?.[1]).to.match(/^\d{6,}$/);
  });

  it('when a worker observes stage durations, then its own metrics server shows the histogram, and closing it twice is harmless', async () => {
    observeStage('sign', 0.3);
    observeStage('sign', 4);
    const server = await startMetricsServer(0);
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).to.contain('lienthong_stage_duration_seconds_bucket{le="0.5",stage="sign"} 1');
      expect(text).to.contain('lienthong_stage_duration_seconds_count{stage="sign"} 2');
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).to.equal(404);
    } finally {
      await server.close();
      await server.close();
    }
  });
});

describe('metrics: the counts of documents and dispatches', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let sender: string;
  let recipients: string[];

  /** One gauge's samples from the registry's text, as "label=value,..." → value. */
  function samples(text: string, name: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) out.set(m[1]!.replace(/"/g, ''), Number(m[2]));
    return out;
  }

  /** What a full count of the tables says now: the gauges' oracle. */
  async function counted(): Promise<{ documents: Map<string, number>; dispatches: Map<string, number> }> {
    const d = await gw.db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM documents GROUP BY status`);
    const x = await gw.db.query<{ status: string; channel: string | null; n: number }>(`SELECT status, channel, count(*)::int AS n FROM dispatches GROUP BY status, channel`);
    return {
      documents: new Map(d.rows.map((r) => [`status=${r.status}`, r.n])),
      dispatches: new Map(x.rows.map((r) => [`status=${r.status},channel=${r.channel ?? 'unrouted'}`, r.n])),
    };
  }

  async function accept(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await inTransaction(gw.db, (tx) => acceptTestDocument(tx, { sender, recipients, number: null }));
  }

  before(async () => {
    gw = await startGateway();
    const agencies = await createAgencies(gw.db, 4);
    sender = agencies[0]!.code;
    recipients = agencies.slice(1).map((a) => a.code);
    // Settled rows (routed documents, delivered copies) and open ones (accepted documents, pending copies).
    await seedDelivered(gw.db, sender, recipients[0]!, [{ subject: 'Một' }, { subject: 'Hai' }, { subject: 'Ba' }]);
    await accept(2);
    await gw.db.query(`UPDATE dispatches SET status = 'delivering' WHERE id = (SELECT id FROM dispatches WHERE status = 'pending' LIMIT 1)`);
  });
  after(async () => gw.close());

  it('when scraped, then every status of both tables is counted exactly, the open and the settled alike', async () => {
    const text = await createDatabaseRegistry(gw.db).metrics();
    const truth = await counted();
    // The scenario has both kinds in both tables, or this would test half the split.
    expect([...truth.documents.keys()]).to.include.members(['status=accepted', 'status=routed']);
    expect([...truth.dispatches.keys()]).to.include.members(['status=pending,channel=unrouted', 'status=delivering,channel=unrouted', 'status=delivered,channel=hosted']);
    expect(samples(text, 'lienthong_documents_total')).to.deep.equal(truth.documents);
    expect(samples(text, 'lienthong_dispatches_total')).to.deep.equal(truth.dispatches);
  });

  it('when the settled rows take long to count, then open work is still counted every scrape and the settled counts are reused', async () => {
    // A share so small that any count's duration divided by it outlasts the test.
    const registry = createDatabaseRegistry(gw.db, { ttlMs: 0, settledShare: 1e-9 });
    const before = await counted();
    expect(samples(await registry.metrics(), 'lienthong_dispatches_total')).to.deep.equal(before.dispatches);
    await accept(1); // open: one more accepted document, three more pending copies
    await seedDelivered(gw.db, sender, recipients[1]!, [{ subject: 'Bốn' }], 10); // settled: one more routed, one more delivered
    await new Promise((r) => setTimeout(r, 5));
    const text = await registry.metrics();
    const docs = samples(text, 'lienthong_documents_total');
    const copies = samples(text, 'lienthong_dispatches_total');
    expect(docs.get('status=accepted')).to.equal(before.documents.get('status=accepted')! + 1);
    expect(copies.get('status=pending,channel=unrouted')).to.equal(before.dispatches.get('status=pending,channel=unrouted')! + recipients.length);
    expect(docs.get('status=routed'), 'settled documents not recounted').to.equal(before.documents.get('status=routed'));
    expect(copies.get('status=delivered,channel=hosted'), 'settled copies not recounted').to.equal(before.dispatches.get('status=delivered,channel=hosted'));
    // Given a share a count can meet, the next scrape past the scrape cache recounts them.
    const fresh = await createDatabaseRegistry(gw.db, { ttlMs: 0, settledShare: 1 }).metrics();
    const truth = await counted();
    expect(samples(fresh, 'lienthong_documents_total')).to.deep.equal(truth.documents);
    expect(samples(fresh, 'lienthong_dispatches_total')).to.deep.equal(truth.dispatches);
  });

  it('when a load takes time, then a cache with a share keeps it that many times longer, and one without reloads past its ttl', async () => {
    let loads = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++loads), 50));
    const budgeted = cached(0, slow, { share: 0.001 }); // ≥ 50 s before the next load
    expect(await budgeted()).to.equal(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await budgeted()).to.equal(1);
    const plain = cached(0, slow);
    expect(await plain()).to.equal(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(await plain()).to.equal(3);
  });
});
