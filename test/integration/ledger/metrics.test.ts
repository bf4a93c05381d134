import { expect } from 'chai';
import { observeStage } from '../../../services/metrics/metrics';
import { startMetricsServer } from '../../../services/metrics/metrics-server';
import { createAgencies } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';

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
