import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';
import { verifyAnchors } from '../../../services/domain/ledger/ledger-anchor-verify';
import { startProofScheduler } from '../../../services/evidence/proof-scheduler';
import { buildQuarterlyReportData } from '../../../services/reports/quarterly-report.data';
import { renderQuarterlyPdf } from '../../../services/reports/quarterly-report.pdf';
import { quarterOfDay, vnDay } from '../../../services/stats/periods';
import { startDevTsa } from '../../../services/domain/pki/dev-tsa';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { testEnv } from '../../support/test-env';

const BIN = path.join(projectRoot(), 'bin', 'lienthong');

/** The CLI as a child process, awaited (not spawnSync: the TSA answering it runs in this process). */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env, DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: testEnv().masterKeyHex };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let out = '';
    child.stdout.on('data', (b) => (out += b.toString()));
    child.stderr.on('data', (b) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('anchored ledger: RFC 3161 tokens over every chain head, daily and on demand, checked by `ledger verify`', function () {
  this.timeout(240_000);
  let gw: RunningGateway;
  let tsa: { url: string; server: http.Server };
  let sender: TestAgency;
  let recipient: TestAgency;
  let dir: string;
  let caFile: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-anchor-'));
    gw = await startGateway();
    tsa = await startDevTsa(gw.db, loadConfig().masterKey, true);
    [sender, recipient] = (await createAgencies(gw.db, 2)) as [TestAgency, TestAgency];
    caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, (await gw.db.query(`SELECT cert_pem FROM trust_anchors WHERE is_dev_ca`)).rows[0].cert_pem);
    // accepting a document writes its ledger row at once (no worker needed)
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code]), await makePdf(1)));
    expect(posted.status).to.equal(202);
    // and a row in another chain, for the tamper test
    expect((await postDocument(gw.baseUrl, recipient.apiKey, documentForm(metadataFor([sender.code]), await makePdf(1)))).status).to.equal(202);
  });
  after(async () => {
    tsa?.server.close();
    await gw?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when an operator runs `ledger anchor`, then the head of the chain is timestamped, `openssl ts -verify` agrees, and `ledger verify` checks every anchor', async () => {
    const r = await cli(['ledger', 'anchor', '--tsa', tsa.url]);
    expect(r.code, r.out).to.equal(0);
    const head = (await gw.db.query(`SELECT id::int, hash FROM ledger WHERE chain = $1 ORDER BY id DESC LIMIT 1`, [sender.code])).rows[0];
    expect(r.out).to.contain(`anchored chain ${sender.code} at row ${head.id} (${head.hash})`);
    const anchor = (await gw.db.query(`SELECT token, reason FROM ledger_anchors WHERE chain = $1 AND row_id = $2`, [sender.code, head.id])).rows[0];
    expect(anchor.reason).to.equal('on-demand');
    const tokenFile = path.join(dir, 'anchor.tsr');
    fs.writeFileSync(tokenFile, anchor.token);
    const ossl = execFileSync('openssl', ['ts', '-verify', '-digest', head.hash, '-in', tokenFile, '-token_in', '-CAfile', caFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(ossl).to.contain('Verification: OK');
    const other = spawnSync('openssl', ['ts', '-verify', '-digest', 'ab'.repeat(32), '-in', tokenFile, '-token_in', '-CAfile', caFile], { encoding: 'utf8' });
    expect(other.status, 'openssl refuses another hash').to.not.equal(0);

    const again = await cli(['ledger', 'anchor', '--tsa', tsa.url, '--chain', sender.code]);
    expect(again.out).to.contain('every chain head is already anchored');
    const v = await cli(['ledger', 'verify']);
    expect(v.code, v.out).to.equal(0);
    expect(v.out).to.match(/ledger OK: \d+ rows, hash chain intact/);
    expect(v.out).to.match(/anchors OK: \d+ RFC 3161 timestamps checked/);
  });

  it('when an anchor is tampered with (its token, or the row it names), then `ledger verify` fails naming the anchor', async () => {
    const a = (await gw.db.query(`SELECT id::int, row_id::int AS "rowId", token FROM ledger_anchors WHERE chain = $1 ORDER BY id DESC LIMIT 1`, [sender.code])).rows[0];
    const earlier = (await gw.db.query(`SELECT id::int, hash FROM ledger WHERE chain = $1 AND id < $2 ORDER BY id DESC LIMIT 1`, [sender.code, a.rowId])).rows[0]
      ?? (await gw.db.query(`SELECT id::int, hash FROM ledger WHERE chain IS NOT NULL AND chain <> $1 ORDER BY id LIMIT 1`, [sender.code])).rows[0];
    try {
      const flipped = Buffer.from(a.token);
      flipped[flipped.length - 20] = flipped[flipped.length - 20]! ^ 0x01; // inside the TSA's signature value
      await gw.db.query(`UPDATE ledger_anchors SET token = $2 WHERE id = $1`, [a.id, flipped]);
      const bad = await verifyAnchors(gw.db);
      expect(bad.ok).to.equal(false);
      expect(bad.badAnchorId).to.equal(a.id);
      expect(bad.reason).to.match(/the timestamp token is not valid/);
      const r = await cli(['ledger', 'verify']);
      expect(r.code).to.equal(1);
      expect(r.out).to.contain(`anchor ${a.id} BROKEN`);

      // the genuine token moved to another row: its imprint is not that row's hash
      await gw.db.query(`UPDATE ledger_anchors SET token = $2, row_id = $3, row_hash = $4 WHERE id = $1`, [a.id, a.token, earlier.id, earlier.hash]);
      const moved = await verifyAnchors(gw.db);
      expect(moved.ok).to.equal(false);
      expect(moved.reason).to.match(/does not cover row \d+'s hash|belongs to chain/);
    } finally {
      const head = (await gw.db.query(`SELECT hash FROM ledger WHERE id = $1`, [a.rowId])).rows[0];
      await gw.db.query(`UPDATE ledger_anchors SET token = $2, row_id = $3, row_hash = $4 WHERE id = $1`, [a.id, a.token, a.rowId, head.hash]);
    }
    expect((await verifyAnchors(gw.db)).ok).to.equal(true);
  });

  it('when the worker\'s daily run comes, then every chain with a new head is anchored once (scheduled) and the 01/03 events owed a receipt get one', async () => {
    const posted = await postDocument(gw.baseUrl, sender.apiKey, documentForm(metadataFor([recipient.code], { notation: 'UBND-KH' }), await makePdf(1)));
    expect(posted.status).to.equal(202);
    const day = vnDay(new Date());
    await gw.db.query(`DELETE FROM ledger_anchor_runs WHERE day = $1`, [day]); // another suite's worker may have run today
    const owedSql = `SELECT count(*)::int AS n FROM dispatch_events e WHERE e.code IN ('01', '03') AND NOT EXISTS (SELECT 1 FROM dispatch_receipts r WHERE r.event_id = e.id)`;
    const owedBefore = (await gw.db.query(owedSql)).rows[0].n as number;
    const scheduler = startProofScheduler(gw.db, { ...loadConfig(), LIENTHONG_TSA_URL: tsa.url });
    try {
      await scheduler.tick();
      await scheduler.tick(); // the day is claimed: a second run anchors nothing more
    } finally {
      scheduler.stop();
    }
    const head = (await gw.db.query(`SELECT id::int FROM ledger WHERE chain = $1 ORDER BY id DESC LIMIT 1`, [sender.code])).rows[0];
    const anchors = await gw.db.query(`SELECT reason FROM ledger_anchors WHERE chain = $1 AND row_id = $2`, [sender.code, head.id]);
    expect(anchors.rows).to.deep.equal([{ reason: 'scheduled' }]);
    expect((await gw.db.query(`SELECT count(*)::int AS n FROM ledger_anchor_runs WHERE day = $1`, [day])).rows[0].n).to.equal(1);
    // earlier suites' arrivals and registrations: each run signs up to 500 of the receipts still owed
    expect((await gw.db.query(owedSql)).rows[0].n).to.equal(Math.max(0, owedBefore - 1000));
  });

  it('when the quarterly report is produced, then it carries the anchor tokens as attachments and says how to check them; the attached token verifies with openssl', async () => {
    const now = new Date();
    const { year, quarter } = quarterOfDay(vnDay(now));
    const data = await buildQuarterlyReportData(gw.db, year, quarter, vnDay(now), false, now);
    expect(data.anchors.length).to.be.greaterThan(0);
    const pdfFile = path.join(dir, 'report.pdf');
    fs.writeFileSync(pdfFile, await renderQuarterlyPdf(data));
    const list = execFileSync('pdfdetach', ['-list', pdfFile], { encoding: 'utf8' });
    expect(list).to.contain('moc-so-cai.tsr');
    expect(list).to.contain('moc-so-cai.json');
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).to.contain('Mốc thời gian sổ cái (RFC 3161)');
    expect(text).to.contain('openssl ts -verify -digest');
    const digest = /openssl ts -verify -digest ([0-9a-f]{64})/.exec(text)![1]!;
    const index = /(\d+): moc-so-cai\.tsr/.exec(list)![1]!;
    execFileSync('pdfdetach', ['-save', index, '-o', path.join(dir, 'moc.tsr'), pdfFile]);
    const ossl = execFileSync('openssl', ['ts', '-verify', '-digest', digest, '-in', path.join(dir, 'moc.tsr'), '-token_in', '-CAfile', caFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(ossl).to.contain('Verification: OK');
  });
});
