import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';
import { createPool, type Db } from '../../services/db/pool';
import { migrate } from '../../services/db/migrator';
import { verifyLedger } from '../../services/domain/ledger/ledger-verify';
import { produceQuarterlyReport } from '../../services/reports/quarterly-report';
import { computeEdocRate } from '../../services/stats/edoc-rate';
import { documentOutcomeTuples } from '../../services/stats/edoc-rate.query';
import { onTimeByKey } from '../../services/stats/on-time.query';
import { existingGrowthData, existingGrowthSearchData, generateGrowthData, type GrowthData } from './growth-data';
import { resetStatements, topStatements } from './pg-statements';
import { acceptSideBySide, startAcceptTarget, type AcceptTarget, type SideBySide } from './accept-side-by-side';
import type { HttpRateResult } from './loadgen-protocol';
import { printReport, target, writeJson, type Target } from './report';
import { searchScale } from './search-only';
import { generateSearchData, type SearchData } from './search-data';
import { seedDirectory } from './seed';
import { median, percentile, round } from './stats';

/** The years the history covers: the last one is the year the rate is asked for, by month and by agency. */
const YEARS = [2023, 2024, 2025, 2026];
const RATE_YEAR = 2025;
const REPORT = { year: 2025, quarter: 2 as const };

export interface GrowthPhaseResult {
  scale: { documents: number; dispatches: number; ledgerRows: number; chains: number; years: number[]; generateSeconds: number; rollupBackfillSeconds: number };
  /** computeEdocRate for RATE_YEAR by month and by agency (what the monitor page asks), p95 of all calls. */
  ratesYearP95Ms: number | null;
  /** Its two parts for the year by month, p50 of 3 calls: the outcome tuples (figure_outcomes) and the on-time figures. */
  rates: { byMonthMs: number[]; byAgencyMs: number[]; tuplesP50Ms: number | null; onTimeP50Ms: number | null };
  ledgerVerifySeconds: number | null;
  /** tamperFound: one row altered afterwards (guard disabled, as a superuser could), and verify named it. */
  ledgerVerify: { ok: boolean; rows: number; tamperFound: boolean | null };
  quarterlyReportSeconds: number | null;
  /** Accept alone (as the main run measures it) on the full database over the same on the empty one. */
  acceptFullVsEmpty: number | null;
  accept: { emptyPerSec: number | null; fullPerSec: number | null; runs: { empty: HttpRateResult[]; full: HttpRateResult[] } };
  /** Rows the rate reads: figure_on_time_months (all, and the rate year's; migration 0094), counted copies, figure_outcomes of the year; dispatch_events. */
  rollups: { on_time: number; on_time_year: number; copies: number; outcomes_year: number; events: number };
  loadavg: { start: number[]; end: number[] };
}

/** The bulk load's WAL and maintenance room; the empty database beside runs with the same settings. */
const GROWTH_PG_SETTINGS: Record<string, string> = {
  max_wal_size: "'4GB'",
  maintenance_work_mem: "'256MB'",
  // BENCH_GROWTH_PG='{"name":"value"}': more server settings on both databases (experiments).
  ...(process.env.BENCH_GROWTH_PG ? (JSON.parse(process.env.BENCH_GROWTH_PG) as Record<string, string>) : {}),
  // BENCH_GROWTH_STATEMENTS=1: what each statement cost on either database during the accept rounds.
  ...(process.env.BENCH_GROWTH_STATEMENTS === '1' ? { shared_preload_libraries: "'pg_stat_statements'", 'pg_stat_statements.track': "'all'" } : {}),
};

const load = () => os.loadavg().map((v) => round(v, 2)!);

function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
  return { ...env, ...extra };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

/**
 * Cost as the data grows (issue 25 item 6), on its own PostgreSQL and Redis: accept alone on the
 * empty database; then the search data (generateSearchData) with its issue dates spread over four
 * years and the ledger those documents and dispatches would have written (growth-data.ts); then
 * accept alone again, the monitor's rate for a year by month and by agency, `ledger verify` over
 * every chain, and the first production of a past quarter's report.
 */
export async function runGrowthPhase(o: {
  documents: number;
  perDoc: number;
  agencies: number;
  rateCalls: number;
  httpRounds: number;
  httpMs: number;
  say: (s: string) => void;
  /** A growth run's kept folder (BENCH_KEEP=1): its PostgreSQL cluster is copied and migrated, nothing is generated, accept is not measured. */
  reuseDataDir?: string | undefined;
}): Promise<GrowthPhaseResult> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-growth-'));
  fs.chmodSync(runDir, 0o755);
  const start = load();
  if (o.reuseDataDir) copyCluster(o.reuseDataDir, runDir, o.say);
  o.say(`growth: run folder ${runDir}${process.env.BENCH_KEEP === '1' ? ' (kept: BENCH_KEEP=1)' : ''}`);
  let stack: EmbeddedStack | undefined;
  let emptyStack: EmbeddedStack | undefined;
  let emptyTarget: AcceptTarget | undefined;
  let fullTarget: AcceptTarget | undefined;
  let db: Db | undefined;
  try {
    stack = await startEmbeddedStack({ dataDir: runDir, fast: true, postgresSettings: GROWTH_PG_SETTINGS });
    const reuse = Boolean(o.reuseDataDir);
    const dir = reuse ? null : await seedDirectory(stack.databaseUrl, stack.redisUrl, 20);
    const port = await freePort();
    const env = serviceEnv({
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      LIENTHONG_DEV_MODE: '1',
      LIENTHONG_MASTER_KEY: dir?.masterKeyHex ?? '',
      LIENTHONG_QUEUE_PREFIX: 'lienthong-bench',
      LIENTHONG_DATA_DIR: runDir,
      LIENTHONG_RATE_LIMIT_PER_MIN: '0',
      LIENTHONG_ADMISSION_MAX_DELAY_MS: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    // The empty database to compare accept with: a second stack beside the full one, seeded the same
    // way, whose gateway runs from the start. Its rounds alternate with the full database's once the
    // history is loaded (acceptSideBySide), so the comparison does not follow the machine's drift.
    if (dir) {
      emptyStack = await startEmbeddedStack({ dataDir: path.join(runDir, 'empty'), fast: true, postgresSettings: GROWTH_PG_SETTINGS });
      const emptyDir = await seedDirectory(emptyStack.databaseUrl, emptyStack.redisUrl, 20);
      emptyTarget = await startAcceptTarget({
        name: 'empty',
        databaseUrl: emptyStack.databaseUrl,
        dir: emptyDir,
        port: await freePort(),
        env: { ...env, DATABASE_URL: emptyStack.databaseUrl, REDIS_URL: emptyStack.redisUrl, LIENTHONG_MASTER_KEY: emptyDir.masterKeyHex, LIENTHONG_DATA_DIR: path.join(runDir, 'empty') },
        loadgenEnv: serviceEnv({}),
        runDir,
      });
    }

    db = createPool(stack.databaseUrl, { max: 4, application: 'lienthong-bench-growth' });
    if (reuse) {
      const m0 = Date.now();
      const migrated = await migrate(db);
      o.say(`growth: migrations ${migrated.applied.join(', ') || '(none)'} applied to the copy in ${round((Date.now() - m0) / 1000, 1)} s`);
    }
    const search: SearchData = reuse ? await existingGrowthSearchData(db) : await generateSearchData(db, { agencies: o.agencies, documents: o.documents, perDoc: o.perDoc, say: o.say });
    const growth: GrowthData = reuse ? await existingGrowthData(db, YEARS) : await generateGrowthData(db, { documents: o.documents, years: YEARS, say: o.say });
    o.say(`growth data: ${search.documents} documents, ${search.dispatches} dispatches, ${growth.ledgerRows} ledger rows on ${growth.chains} chains`);

    // A province's database has been vacuumed; a bulk load of years has not. Without this, accept
    // on the full database would be measured against autovacuum's first pass over millions of rows.
    if (!reuse) {
      const v0 = Date.now();
      await db.query('VACUUM (ANALYZE)');
      await db.query('CHECKPOINT');
      o.say(`growth: VACUUM (ANALYZE) and CHECKPOINT after the load in ${round((Date.now() - v0) / 1000, 1)} s (load ${load().join(' ')})`);
    }
    // Reusing data: no seeded directory to send with, so accept is not measured (the full run measures it).
    let accept: SideBySide | null = null;
    if (dir && emptyTarget) {
      fullTarget = await startAcceptTarget({ name: 'full', databaseUrl: stack.databaseUrl, dir, port, env, loadgenEnv: serviceEnv({}), runDir });
      // BENCH_GROWTH_SQL: statements run on both databases before the rounds (experiments on what
      // makes the full one slower: autovacuum, the GIN indexes' pending lists, …).
      if (process.env.BENCH_GROWTH_SQL) {
        for (const url of [stack.databaseUrl, emptyStack!.databaseUrl]) {
          const c = createPool(url, { max: 1, application: 'lienthong-bench-growth-sql' });
          await c.query(process.env.BENCH_GROWTH_SQL).finally(() => c.end());
        }
        o.say('growth: BENCH_GROWTH_SQL run on both databases');
      }
      const statements = process.env.BENCH_GROWTH_STATEMENTS === '1';
      if (statements) for (const url of [stack.databaseUrl, emptyStack!.databaseUrl]) await resetStatements(url);
      accept = await acceptSideBySide(emptyTarget, fullTarget, { pairs: o.httpRounds, durationMs: o.httpMs, warmupMs: 5_000, concurrency: 16 });
      if (statements) {
        const [full, empty] = [await topStatements(stack.databaseUrl, 40), await topStatements(emptyStack!.databaseUrl, 40)];
        for (const f of full) {
          const e = empty.find((x) => x.query === f.query);
          o.say(`  statement full ${f.meanMs} ms × ${f.calls}, empty ${e ? `${e.meanMs} ms × ${e.calls}` : '–'}: ${f.query.slice(0, 110)}`);
        }
      }
      await fullTarget.stop();
      fullTarget = undefined;
    }
    const emptyRate = median(accept?.a.map((r) => r.perSec) ?? []);
    const fullRate = median(accept?.b.map((r) => r.perSec) ?? []);
    if (accept) {
      o.say(`growth: accept alone, alternating rounds, empty ${accept.a.map((r) => round(r.perSec)).join(' ')} /s, full ${accept.b.map((r) => round(r.perSec)).join(' ')} /s: full/empty ${round(accept.bOverA, 3)} (load ${load().join(' ')})`);
    }

    const sizes = await db.query<{ on_time: number; on_time_year: number; copies: number; outcomes_year: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM figure_on_time_months) AS on_time, (SELECT count(*)::int FROM figure_on_time_months WHERE issued_month BETWEEN $1 AND $2) AS on_time_year,
              (SELECT count(*)::int FROM figure_copies) AS copies, (SELECT count(*)::int FROM figure_outcomes WHERE issued_on BETWEEN $1 AND $2) AS outcomes_year,
              (SELECT count(*)::int FROM dispatch_events) AS events`,
      [`${RATE_YEAR}-01-01`, `${RATE_YEAR}-12-31`],
    );
    const rollups = sizes.rows[0]!;
    o.say(`growth: rollups ${JSON.stringify(rollups)}`);
    const range = { from: `${RATE_YEAR}-01-01`, to: `${RATE_YEAR}-12-31`, filter: null, asOf: new Date() };
    await computeEdocRate(db, { ...range, groupBy: 'month' });
    await computeEdocRate(db, { ...range, groupBy: 'agency' });
    const byMonthMs: number[] = [];
    const byAgencyMs: number[] = [];
    for (let i = 0; i < o.rateCalls; i++) {
      byMonthMs.push((await timed(() => computeEdocRate(db!, { ...range, groupBy: 'month' })))[1]);
      byAgencyMs.push((await timed(() => computeEdocRate(db!, { ...range, groupBy: 'agency' })))[1]);
    }
    const ratesP95 = percentile([...byMonthMs, ...byAgencyMs], 95);
    const scope = { from: range.from, to: range.to, agencies: null, groupBy: 'month' as const };
    const tuplesMs: number[] = [];
    const onTimeMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      tuplesMs.push((await timed(() => documentOutcomeTuples(db!, scope)))[1]);
      onTimeMs.push((await timed(() => onTimeByKey(db!, scope, range.asOf)))[1]);
    }
    o.say(`growth: of which outcome tuples p50 ${round(median(tuplesMs))} ms, on-time p50 ${round(median(onTimeMs))} ms`);
    o.say(`growth: rate for ${RATE_YEAR} by month p50 ${round(median(byMonthMs))} ms, by agency p50 ${round(median(byAgencyMs))} ms, p95 of both ${round(ratesP95)} ms`);

    const [verified, verifyMs] = await timed(() => verifyLedger(db!));
    o.say(`growth: ledger verify ${verified.ok ? 'OK' : `BROKEN at ${verified.firstBadId}: ${verified.reason}`}, ${verified.rows} rows in ${round(verifyMs / 1000, 1)} s`);
    const tamperFound = verified.ok ? await alterOneRow(db, verified.rows) : null;
    o.say(`growth: one altered row ${tamperFound ? 'found' : 'NOT found'} by ledger verify`);
    // A reused folder kept the report its first run stored (a final report is produced once): measured again as a first production.
    if (reuse) await db.query('DELETE FROM quarterly_reports WHERE year = $1 AND quarter = $2', [REPORT.year, REPORT.quarter]);
    const [, reportMs] = await timed(() => produceQuarterlyReport(db!, REPORT.year, REPORT.quarter, new Date()));
    o.say(`growth: quarterly report ${REPORT.year} Q${REPORT.quarter} produced in ${round(reportMs / 1000, 1)} s`);
    return {
      scale: { documents: search.documents, dispatches: search.dispatches, ledgerRows: growth.ledgerRows, chains: growth.chains, years: YEARS, generateSeconds: search.seconds + growth.seconds, rollupBackfillSeconds: growth.rollupBackfillSeconds },
      ratesYearP95Ms: round(ratesP95),
      rates: { byMonthMs: byMonthMs.map((v) => round(v)!), byAgencyMs: byAgencyMs.map((v) => round(v)!), tuplesP50Ms: round(median(tuplesMs)), onTimeP50Ms: round(median(onTimeMs)) },
      ledgerVerifySeconds: verified.ok ? round(verifyMs / 1000, 1) : null,
      ledgerVerify: { ok: verified.ok, rows: verified.rows, tamperFound },
      quarterlyReportSeconds: round(reportMs / 1000, 1),
      acceptFullVsEmpty: round(accept?.bOverA, 3),
      accept: { emptyPerSec: round(emptyRate), fullPerSec: round(fullRate), runs: { empty: accept?.a ?? [], full: accept?.b ?? [] } },
      rollups,
      loadavg: { start, end: load() },
    };
  } finally {
    await db?.end().catch(() => undefined);
    await (fullTarget as AcceptTarget | undefined)?.stop().catch(() => undefined);
    await (emptyTarget as AcceptTarget | undefined)?.stop().catch(() => undefined);
    await (emptyStack as EmbeddedStack | undefined)?.stop().catch(() => undefined);
    await stack?.stop();
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  }
}

/** Copies a kept growth run's PostgreSQL cluster into this run's folder (cp -a keeps owners and modes); the original is not written. */
function copyCluster(from: string, runDir: string, say: (s: string) => void): void {
  const src = path.join(path.resolve(from), 'postgres');
  if (!fs.existsSync(path.join(src, 'data', 'PG_VERSION'))) throw new Error(`BENCH_GROWTH_DATA_DIR: no PostgreSQL cluster in ${src}/data`);
  const t = Date.now();
  execFileSync('cp', ['-a', src, path.join(runDir, 'postgres')]);
  fs.rmSync(path.join(runDir, 'postgres', 'data', 'postmaster.pid'), { force: true });
  say(`growth data: copied ${src} in ${Math.round((Date.now() - t) / 1000)} s (not generated)`);
}

/** Alters the recipient of the middle row of the ledger (the append-only guard off, as a superuser could) and checks verify names it. */
async function alterOneRow(db: Db, rows: number): Promise<boolean> {
  const target = await db.query<{ id: string }>(`SELECT id FROM ledger ORDER BY id OFFSET $1 LIMIT 1`, [Math.floor(rows / 2)]);
  const id = Number(target.rows[0]!.id);
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE ledger DISABLE TRIGGER ledger_no_update');
    const was = await client.query<{ recipient: string | null }>(`UPDATE ledger x SET recipient = 'B19.TAMPERED' FROM ledger o WHERE x.id = $1 AND o.id = x.id RETURNING o.recipient`, [id]);
    await client.query('ALTER TABLE ledger ENABLE TRIGGER ledger_no_update');
    await client.query('COMMIT');
    const r = await verifyLedger(db);
    // Put back, so a kept folder (BENCH_KEEP=1) verifies again when reused.
    await client.query('BEGIN');
    await client.query('ALTER TABLE ledger DISABLE TRIGGER ledger_no_update');
    await client.query(`UPDATE ledger SET recipient = $2 WHERE id = $1`, [id, was.rows[0]!.recipient]);
    await client.query('ALTER TABLE ledger ENABLE TRIGGER ledger_no_update');
    await client.query('COMMIT');
    return !r.ok && r.firstBadId === id;
  } finally {
    client.release();
  }
}

/** The growth phase's scale: the search phase's (BENCH_SEARCH_DOCS, 5 dispatches per document) unless BENCH_GROWTH_DOCS says otherwise. */
export function growthScale(env: NodeJS.ProcessEnv = process.env) {
  const s = searchScale(env);
  // Accept full/empty: nine alternated pairs of 5 s. With five, one tree gave 0.875 to 0.983 at
  // 110,000 documents (pairs within a run spread 0.87-1.05), as wide as the 10% it is compared to.
  const quick = env.BENCH_QUICK === '1';
  return { documents: Number(env.BENCH_GROWTH_DOCS ?? s.documents), perDoc: s.perDoc, agencies: s.agencies, rateCalls: quick ? 5 : 10, httpRounds: quick ? 1 : 9, httpMs: quick ? 3_000 : 5_000 };
}

export function growthTargets(r: GrowthPhaseResult): Target[] {
  return [
    target('rate, a year by month/agency p95 (ms)', 'growth.ratesYearP95Ms', r.ratesYearP95Ms, '<=', 500),
    target('ledger verify, every chain (s)', 'growth.ledgerVerifySeconds', r.ledgerVerifySeconds, '<=', 60),
    target('quarterly report (s)', 'growth.quarterlyReportSeconds', r.quarterlyReportSeconds, '<=', 30),
    target('accept alone, full vs empty database', 'growth.acceptFullVsEmpty', r.acceptFullVsEmpty, '>=', 0.9),
  ];
}

export function growthRows(r: GrowthPhaseResult): [string, unknown][] {
  return [
    ['growth data (docs / dispatches / ledger rows)', `${r.scale.documents} / ${r.scale.dispatches} / ${r.scale.ledgerRows} over ${r.scale.years.join('–')} (${r.scale.generateSeconds} s)`],
    ['rate a year: by month / by agency p50 (ms); p95', `${median(r.rates.byMonthMs)} / ${median(r.rates.byAgencyMs)}; ${r.ratesYearP95Ms}`],
    ['rate a year by month: tuples / on-time p50 (ms)', `${r.rates.tuplesP50Ms} / ${r.rates.onTimeP50Ms}`],
    ['rate rollup backfill (s)', r.scale.rollupBackfillSeconds],
    ['ledger verify (s, rows)', `${r.ledgerVerifySeconds} (${r.ledgerVerify.rows}, ${r.ledgerVerify.ok ? 'OK' : 'BROKEN'}; one altered row found: ${r.ledgerVerify.tamperFound})`],
    ['quarterly report (s)', r.quarterlyReportSeconds],
    ['accept alone empty / full (/s)', `${r.accept.emptyPerSec} / ${r.accept.fullPerSec} (${r.acceptFullVsEmpty})`],
    ['growth load averages start / end', `${r.loadavg.start.join(' ')} / ${r.loadavg.end.join(' ')}`],
  ];
}

/** BENCH_ONLY=growth: the growth phase alone; its figures go into latest.json beside the others'. */
export async function growthOnly(say: (s: string) => void): Promise<void> {
  const scale = growthScale();
  say(`growth phase only: ${scale.documents} documents × ${scale.perDoc} dispatches`);
  const reuse = process.env.BENCH_GROWTH_DATA_DIR || undefined;
  const r = await runGrowthPhase({ ...scale, say, reuseDataDir: reuse });
  const file = path.join(projectRoot(), 'bench', 'results', 'latest.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Target[] } & Record<string, unknown>) : {};
  // Reusing data measures no accept (no empty database): the last full run's accept figures are kept, marked as such.
  const before = previous.growth as (GrowthPhaseResult & { acceptFrom?: string }) | undefined;
  if (reuse && r.acceptFullVsEmpty === null && before?.acceptFullVsEmpty != null) {
    Object.assign(r, { acceptFullVsEmpty: before.acceptFullVsEmpty, accept: before.accept, acceptFrom: before.acceptFrom ?? `an earlier growth run (${before.scale.documents} documents)` });
  }
  const targets = [...(previous.targets ?? []).filter((t) => !t.figure.startsWith('growth.')), ...growthTargets(r)];
  writeJson(file, { ...previous, growth: r, targets });
  printReport(growthRows(r), growthTargets(r), []);
}
