import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { parseCsv } from '../../../services/cli/commands/agency.command';
import { reportCommand } from '../../../services/cli/commands/report.command';
import type { CliContext } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';
import { quarterlyReportProcessor, registerQuarterlyReportScheduler } from '../../../services/reports/quarterly-report.job';
import { REPORTS_QUEUE } from '../../../contracts';
import { quarterOfDay, vnDay } from '../../../services/stats/periods';
import { getJson, startGateway, type RunningGateway } from '../../support/http.fixture';
import { testEnv } from '../../support/test-env';
import { addDocuments, createScenarioAgencies, postPaperDispatches, SCENARIO_DOCUMENTS } from './scenario.fixture';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The only suite that asks for the report of Q3 2026: a final report is produced once, so it must
 * be asked for after this suite's scenario is in place. Expected rows are the Q3 half of the
 * scenario worked out in edoc-rate-scenario.test.ts.
 */
describe('quarterly report: PDF and CSV, kept once produced', function () {
  this.timeout(120_000);
  let gw: RunningGateway;
  let s: Awaited<ReturnType<typeof createScenarioAgencies>>;

  before(async () => {
    gw = await startGateway();
    s = await createScenarioAgencies(gw.db);
    await addDocuments(gw.db, s.agencies, SCENARIO_DOCUMENTS);
    await postPaperDispatches(gw.baseUrl, s.agencies);
  });
  after(async () => gw.close());

  async function download(pathAndQuery: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${gw.baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${s.monitorKey}` } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  it('when a monitor asks for a past quarter as CSV, then each agency row has the hand-worked Q3 figures and the province row matches the API', async () => {
    const province = await getJson(gw.baseUrl, '/v1/stats/edoc-rate?from=2026-07-01&to=2026-09-30&groupBy=quarter', s.monitorKey);
    expect(province.status).to.equal(200);
    const r = await download('/v1/reports/quarterly/2026/Q3?format=csv');
    expect(r.status, r.bytes.toString()).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(r.headers.get('x-report-final')).to.equal('true');
    expect(r.headers.get('x-report-covers-to')).to.equal('2026-09-30');
    expect([...r.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(r.bytes.toString('utf8').slice(1));
    expect(rows[0]!.slice(0, 7)).to.deep.equal(['Mã định danh', 'Cơ quan', 'Tổng số văn bản đi', 'Điện tử', 'Giấy', 'Hỗn hợp', 'Tỷ lệ văn bản điện tử']);
    const byCode = new Map(rows.map((row) => [row[0], row]));
    const [a1, a2, a3, a4] = s.agencies;
    //                                   total e  p  m  rate      disp e  rate      target    on track  ack: due done onTime rate  with due done onTime rate   pending
    expect(byCode.get(a1!.code)).to.deep.equal([a1!.code, a1!.name, '3', '2', '0', '1', '0.6667', '5', '4', '0.8000', '0.5000', 'có', '1', '1', '1', '1.0000', '1', '1', '1', '1.0000', '0']);
    expect(byCode.get(a2!.code)).to.deep.equal([a2!.code, a2!.name, '2', '1', '0', '1', '0.5000', '3', '2', '0.6667', '0.6000', 'không', '3', '3', '3', '1.0000', '1', '1', '1', '1.0000', '0']);
    expect(byCode.get(a3!.code)).to.deep.equal([a3!.code, a3!.name, '1', '0', '1', '0', '0.0000', '2', '0', '0.0000', '0.6000', 'không', '2', '1', '0', '0.0000', '2', '1', '0', '0.0000', '0']);
    expect(byCode.get(a4!.code)).to.deep.equal([a4!.code, a4!.name, '0', '0', '0', '0', '', '0', '0', '', '0.6000', '', '0', '0', '0', '', '0', '0', '0', '', '0']);
    const last = rows[rows.length - 1]!;
    const t = province.body.totals;
    expect(last.slice(0, 12)).to.deep.equal([
      'province', 'Toàn tỉnh', String(t.total), String(t.electronic), String(t.paper), String(t.mixed), t.rate.toFixed(4),
      String(t.dispatches), String(t.electronicDispatches), t.dispatchRate.toFixed(4), '0.6000', t.onTrack ? 'có' : 'không',
    ]);
  });

  it('when the PDF is read back, then it has the Vietnamese title, the province rate and agency names with their diacritics', async () => {
    const r = await download('/v1/reports/quarterly/2026/3');
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('application/pdf');
    const dir = path.join(projectRoot(), 'test-artifacts', 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const pdfFile = path.join(dir, 'quarterly-2026-Q3.pdf');
    fs.writeFileSync(pdfFile, r.bytes);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    const province = await getJson(gw.baseUrl, '/v1/stats/edoc-rate?from=2026-07-01&to=2026-09-30', s.monitorKey);
    const rate = `${(province.body.totals.rate * 100).toFixed(2).replace('.', ',')}%`;
    expect(text).to.contain('BÁO CÁO KẾT QUẢ TRAO ĐỔI VĂN BẢN ĐIỆN TỬ');
    expect(text).to.contain('QUÝ III NĂM 2026');
    expect(text).to.contain(`Tỷ lệ văn bản điện tử: ${rate}; chỉ tiêu 60,00%`);
    expect(text).to.contain(s.agencies[0]!.name);
    expect(text).to.contain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, path.join(dir, 'quarterly-2026-Q3-page1')]);
    expect(fs.statSync(path.join(dir, 'quarterly-2026-Q3-page1.png')).size).to.be.greaterThan(1000);
  });

  it('when a past quarter is asked for again, then the stored bytes are served: same sha256, same production time', async () => {
    const first = await download('/v1/reports/quarterly/2026/Q3');
    const second = await download('/v1/reports/quarterly/2026/Q3');
    expect(sha256(second.bytes)).to.equal(sha256(first.bytes));
    expect(second.headers.get('x-report-produced-at')).to.equal(first.headers.get('x-report-produced-at'));
    const kept = await gw.db.query(`SELECT count(*)::int AS n, max(pdf_sha256) AS sha FROM quarterly_reports WHERE year = 2026 AND quarter = 3 AND final`);
    expect(kept.rows[0]).to.deep.equal({ n: 1, sha: sha256(first.bytes) });
  });

  it("when the current quarter is asked for, then a 'to date' report is produced again and kept for today", async () => {
    const today = vnDay(new Date());
    const { year, quarter } = quarterOfDay(today);
    const first = await download(`/v1/reports/quarterly/${year}/Q${quarter}`);
    const second = await download(`/v1/reports/quarterly/${year}/Q${quarter}`);
    expect(first.status).to.equal(200);
    expect(first.headers.get('x-report-final')).to.equal('false');
    expect(first.headers.get('x-report-covers-to')).to.equal(today);
    expect(second.headers.get('x-report-produced-at')).not.to.equal(first.headers.get('x-report-produced-at'));
    const dir = path.join(projectRoot(), 'test-artifacts', 'reports');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'quarterly-current-to-date.pdf'), second.bytes);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path.join(dir, 'quarterly-current-to-date.pdf'), path.join(dir, 'quarterly-current-to-date-page1')]);
    const kept = await gw.db.query(`SELECT count(*)::int AS n FROM quarterly_reports WHERE year = $1 AND quarter = $2 AND NOT final AND covers_to = $3`, [year, quarter, today]);
    expect(kept.rows[0].n).to.equal(1);
    expect((await download(`/v1/reports/quarterly/${year + 1}/Q${quarter}`)).status).to.equal(404);
    expect((await download('/v1/reports/quarterly/2026/Q5')).status).to.equal(400);
  });

  it('when the operator runs `lienthong report quarterly 2026 Q3 --out DIR`, then the PDF and CSV are written there and their paths printed', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-report-'));
    try {
      const printed: unknown[] = [];
      const ctx: CliContext = { db: gw.db, config: loadConfig(), json: true, out: (v) => printed.push(v) };
      await reportCommand(['quarterly', '2026', 'Q3', '--out', out], ctx);
      const result = printed[0] as { pdf: string; csv: string; final: boolean };
      expect(result.final).to.equal(true);
      expect(path.dirname(result.pdf)).to.equal(out);
      const served = await download('/v1/reports/quarterly/2026/Q3');
      expect(sha256(fs.readFileSync(result.pdf))).to.equal(sha256(served.bytes));
      expect(fs.readFileSync(result.csv, 'utf8').startsWith('\ufeffMã định danh,')).to.equal(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('when the scheduler is registered by two processes, then there are two schedulers (due and final) on the 20th cron, and the final job serves the kept report', async () => {
    const redis = new IORedis(testEnv().redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(REPORTS_QUEUE, { connection: redis, prefix: `${testEnv().queuePrefix}-reports` });
    try {
      await registerQuarterlyReportScheduler(queue);
      await registerQuarterlyReportScheduler(queue);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((x) => [x.key, x.pattern, x.tz]).sort()).to.deep.equal([
        ['quarterly-report-due', '0 6 20 3,6,9,12 *', 'Asia/Ho_Chi_Minh'],
        ['quarterly-report-final', '0 2 1 1,4,7,10 *', 'Asia/Ho_Chi_Minh'],
      ]);
      expect((await queue.getDelayed()).length).to.equal(2);
      const served = await download('/v1/reports/quarterly/2026/Q3');
      const produced = await quarterlyReportProcessor(gw.db, () => new Date('2026-10-01T01:00:00+07:00'))({ data: { edition: 'final' }, id: 't' } as never);
      expect(produced).to.include({ year: 2026, quarter: 3, final: true, pdfSha256: sha256(served.bytes) });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    }
  });
});
