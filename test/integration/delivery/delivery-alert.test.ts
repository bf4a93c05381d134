import { expect } from 'chai';
import { freePort } from '../../../infra/embedded/free-port';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { startRecordingServer, type RecordingServer } from '../../support/hostile-receivers';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';
import { WebClient, createWebUser } from '../web/web-client';

describe('a push failing longer than the alert time is alerted once: log, metrics, admin list, notice to the sender', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let worker: WorkerProcess | undefined;
  let refusing: RecordingServer;

  before(async () => {
    gw = await startGateway();
    refusing = await startRecordingServer((_q, res) => res.writeHead(502).end('bad gateway'));
  });
  after(async () => {
    await worker?.stop();
    await refusing.close();
    await gw.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && worker) process.stderr.write(worker.output().slice(-3000));
  });

  it('when a push keeps failing past LIENTHONG_DELIVERY_ALERT_MS, then one alert is raised while the retries go on', async () => {
    const [sender] = (await createAgencies(gw.db, 1)) as [TestAgency];
    const [pushed] = (await createAgencies(gw.db, 1, { channel: 'push', endpointUrl: `${refusing.url}/in`, secret: 's3cret-of-the-receiver' })) as [TestAgency];
    const clerk = await createWebUser(gw.db, sender.code, 'clerk');
    const admin = await createWebUser(gw.db, sender.code, 'admin');
    const metricsPort = await freePort();
    worker = spawnWorker({ LIENTHONG_DELIVERY_ALERT_MS: '1500', LIENTHONG_RETRY_BASE_MS: '300', LIENTHONG_RETRY_MAX_MS: '600', LIENTHONG_WORKER_METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' });
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([pushed.code], { subject: 'Về việc thử cảnh báo gửi lỗi kéo dài' }), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const alerted = await waitFor('the alert and two more attempts after it', async () => {
      const r = await gw.db.query(
        `SELECT x.id, x.status, x.alerted_at AS "alertedAt", (SELECT count(*)::int FROM dispatch_attempts a WHERE a.dispatch_id = x.id AND a.at > x.alerted_at) AS after
           FROM dispatches x WHERE x.document_id = $1`,
        [posted.body.id],
      );
      const x = r.rows[0];
      return x?.alertedAt && x.after >= 2 ? x : undefined;
    }, { timeoutMs: 60_000, recheckMs: 200 });
    expect(alerted.status).to.be.oneOf(['pending', 'delivering']);
    const notices = await gw.db.query(`SELECT message FROM agency_notices WHERE agency_code = $1 AND kind = 'delivery_failing'`, [sender.code]);
    expect(notices.rows, 'one notice for the sending agency').to.have.length(1);
    expect(notices.rows[0].message).to.contain(pushed.code).and.contain('điểm nhận trả lời HTTP 502');
    // The suite shares its queues: this worker may also retry (and alert) other suites' leftover copies.
    const alertLines = worker.output().split('\n').filter((l) => l.includes('ALERT: push delivery failing') && l.includes(alerted.id));
    expect(alertLines, 'one ALERT line for this copy').to.have.length(1);
    const workerMetrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(Number(/^lienthong_delivery_alerts_total (\d+)$/m.exec(workerMetrics)?.[1])).to.be.at.least(1);
    const gatewayMetrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(Number(/^lienthong_dispatches_failing_long (\d+)$/m.exec(gatewayMetrics)?.[1])).to.be.at.least(1);
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(admin.username, admin.password)).status).to.equal(303);
    const page = await web.get('/admin');
    const section = page.text.slice(page.text.indexOf('id="failing"'));
    expect(section).to.contain(`/outbox/${posted.body.id}`).and.contain('điểm nhận trả lời HTTP 502');
    // The notice reaches the sending agency's people: their notification centre and their own pages.
    const centre = await gw.db.query(
      `SELECT u.username, n.kind, n.link, n.urgent FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE u.agency_code = $1 AND n.kind = 'delivery_failing' ORDER BY u.username`,
      [sender.code],
    );
    expect(centre.rows, 'the sending clerk and admin are told once each').to.deep.equal(
      [admin.username, clerk.username].sort().map((username) => ({ username, kind: 'delivery_failing', link: `/outbox/${posted.body.id}`, urgent: true })),
    );
    const asClerk = new WebClient(gw.baseUrl);
    expect((await asClerk.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const notifications = await asClerk.get('/notifications');
    expect(notifications.text).to.contain('data-kind="delivery_failing"').and.contain(`href="/outbox/${posted.body.id}"`).and.contain(pushed.code);
    const outbox = await asClerk.get('/outbox');
    const panel = outbox.text.slice(outbox.text.indexOf('id="agency-notices"'));
    expect(panel, 'the clerk\'s outbox shows the notice').to.contain('data-notice-kind="delivery_failing"').and.contain('điểm nhận trả lời HTTP 502');
    expect(page.text.slice(page.text.indexOf('id="agency-notices"')), 'and so does the admin page').to.contain('data-notice-kind="delivery_failing"');
  });
});
