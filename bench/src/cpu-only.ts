/* eslint-disable no-console -- the harness reports to the person at the terminal. */
/**
 * `BENCH_ONLY=cpu` (issue 25): only the one-page-to-5 maximum and where its CPU goes, in about a
 * minute: private stack, gateway and workers, a closed loop of one-page PDFs to five hosted
 * recipients, CPU ms per document per process, Redis commands and PostgreSQL statements per document
 * (pg_stat_statements and --cpu-prof profiles with BENCH_PROFILE=1). For comparing changes that
 * make a document cheaper; the full `make bench` still gives the figures of record.
 * BENCH_CPU_MS (default 15000) and BENCH_INFLIGHT (default 48) tune the phase. BENCH_CPU_STAGES=1
 * then measures accept alone and every stage alone the way `make bench` does (method steps 7–8) and
 * prints the end-to-end rate over the slowest of them (`ratios.e2eVsSlowestStage`, issue 25 item 2).
 * BENCH_CPU_MIX_BEFORE_MS runs the full bench's mix that long before the measurement.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import IORedis from 'ioredis';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';
import type { ClosedResult, HttpRateResult, LoadgenCommand } from './loadgen-protocol';
import type { Kind } from './payloads';
import { IpcChild, startService, waitReady, type Service } from './processes';
import { cpuWindow, findGroups, machineCpu, msPerDoc } from './cpu-accounting';
import { resetStatements, topStatements } from './pg-statements';
import { summariseDir } from './profile-summary';
import { seedDirectory } from './seed';
import { median, round } from './stats';
import { measureStagesAlone } from './stage-alone';

async function redisCommands(url: string): Promise<Record<string, number>> {
  const r = new IORedis(url);
  try {
    const text = await r.info('commandstats');
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
    return out;
  } finally {
    r.disconnect();
  }
}

async function walBytes(databaseUrl: string): Promise<bigint> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ lsn: string }>("SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn");
    return BigInt(r.rows[0]!.lsn);
  } finally {
    await c.end();
  }
}

async function analyze(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

export async function cpuOnly(say: (m: string) => void): Promise<void> {
  const profile = process.env.BENCH_PROFILE === '1';
  const durationMs = Number(process.env.BENCH_CPU_MS ?? 15_000);
  const inflight = Number(process.env.BENCH_INFLIGHT ?? 48);
  const root = projectRoot();
  const profileDir = path.join(root, 'bench', 'results', 'profiles-cpu');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-cpu-'));
  fs.chmodSync(runDir, 0o755);
  const services: Service[] = [];
  let loadgen: IpcChild | undefined;
  let stack: EmbeddedStack | undefined;
  say(`cpu-only: ${durationMs} ms at ${inflight} in flight; load ${os.loadavg().map((v) => round(v, 2)).join(' ')}`);
  try {
    stack = await startEmbeddedStack({ dataDir: runDir, fast: true, ...(profile ? { postgresSettings: { shared_preload_libraries: "'pg_stat_statements'", 'pg_stat_statements.track': "'all'" } } : {}) });
    const dir = await seedDirectory(stack.databaseUrl, stack.redisUrl, 20);
    if (process.env.BENCH_SQL) {
      const c0 = new pg.Client({ connectionString: stack.databaseUrl });
      await c0.connect();
      await c0.query(process.env.BENCH_SQL).finally(() => c0.end());
    }
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
    const env = { ...base, DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: dir.masterKeyHex, LIENTHONG_QUEUE_PREFIX: 'lienthong-bench', LIENTHONG_DATA_DIR: runDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0',
      // BENCH_STAGE_CHAINING=0: every stage through its own queue (the comparison for stage chaining).
      ...(process.env.BENCH_STAGE_CHAINING ? { LIENTHONG_STAGE_CHAINING: process.env.BENCH_STAGE_CHAINING } : {}),
      ...(process.env.BENCH_LOG_BUFFER_BYTES ? { LIENTHONG_LOG_BUFFER_BYTES: process.env.BENCH_LOG_BUFFER_BYTES } : {}) };
    if (profile) fs.rmSync(profileDir, { recursive: true, force: true });
    const prof = (name: string) => (profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []);
    const gateway = startService('gateway', 'services/gateway/main.js', { ...env, LIENTHONG_PROCESS: 'gateway' }, path.join(runDir, 'gateway.log'), prof('gateway'));
    const workers = startService('workers', 'workers/main.js', { ...env, LIENTHONG_PROCESS: 'workers' }, path.join(runDir, 'workers.log'), prof('workers'));
    services.push(gateway, workers);
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    loadgen = new IpcChild('bench/src/loadgen.js', base);
    const lg = <T>(c: LoadgenCommand) => loadgen!.call<T>(c);
    await lg({ cmd: 'setup', setup: { baseUrl, databaseUrl: stack.databaseUrl, senders: dir.senders, five: dir.five, group50: dir.group50, group500: dir.group500 } });
    // BENCH_CPU_MIX_BEFORE_MS: the full run's mix (one-page, body and 20-pages-to-50 documents) for
    // that long first, as `make bench` does before its one-page measurement, to see what the rows
    // and queues earlier phases leave behind cost the documents measured after them.
    const mixBefore = Number(process.env.BENCH_CPU_MIX_BEFORE_MS ?? 0);
    if (mixBefore > 0) {
      const m = await lg<ClosedResult>({ cmd: 'closed', kinds: ['pdf1x5', 'body1x5', 'pdf20x50'], inflight, warmupMs: 0, durationMs: mixBefore });
      say(`mix before: ${round(m.docsPerSec, 2)} docs/s for ${mixBefore} ms`);
    }
    await lg<ClosedResult>({ cmd: 'closed', kinds: ['pdf1x5'], inflight, warmupMs: 0, durationMs: 4_000 });
    // What autovacuum does within its first minute of traffic (its naptime), done now: this phase is
    // shorter than that, and without statistics the plans made on the empty tables (a sequential scan
    // of figure_copies per delivery, say) stay cached in the service's connections for the whole run.
    // ANALYZE invalidates them, as it does in the full run and in production.
    await analyze(stack.databaseUrl);
    const groups = () => findGroups(runDir, Number(new URL(stack!.redisUrl).port), { gateway: gateway.pid, workers: workers.pid, loadgen: loadgen!.pid });
    const tracked = profile && (await resetStatements(stack.databaseUrl));
    const redisBefore = await redisCommands(stack.redisUrl);
    const walBefore = await walBytes(stack.databaseUrl);
    const cpu = cpuWindow(groups);
    const mBefore = machineCpu();
    const loadBefore = os.loadavg();
    // BENCH_KINDS=pdf1x5,body1x5,pdf20x50: the full bench's mix instead of one-page-to-5 alone.
    const kinds = (process.env.BENCH_KINDS?.split(',') ?? ['pdf1x5']) as Kind[];
    const run = await lg<ClosedResult>({ cmd: 'closed', kinds, inflight, warmupMs: 2_000, durationMs });
    if (kinds.length > 1) say(`kinds done in the window: ${JSON.stringify(Object.fromEntries(kinds.map((k) => [k, run.records.filter((r) => r.kind === k && r.tDone !== null && r.tDone >= run.windowFrom && r.tDone < run.windowTo).length])))}`);
    const used = cpu.stop();
    const mAfter = machineCpu();
    const walAfter = await walBytes(stack.databaseUrl);
    const redisAfter = await redisCommands(stack.redisUrl);
    const done = run.records.filter((r) => r.tDone !== null && !r.error).length;
    const failed = run.records.filter((r) => r.error).length;
    if (failed > 0) {
      say(`failures (first 3): ${JSON.stringify(run.records.filter((r) => r.error).slice(0, 3).map((r) => r.error))}`);
      for (const f of ['gateway.log', 'workers.log']) {
        const bad = fs.readFileSync(path.join(runDir, f), 'utf8').split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(0, 5);
        for (const l of bad) say(`  ${f}: ${l.slice(0, 600)}`);
      }
    }
    const perDoc: Record<string, number> = {};
    let total = 0;
    for (const [k, v] of Object.entries(used)) {
      if (k === 'wallSeconds') continue;
      const ms = ((v as { cpuSeconds: number }).cpuSeconds * 1000) / Math.max(1, done);
      perDoc[k] = round(ms, 2)!;
      if (k !== 'loadgen') total += ms;
    }
    const redisPerDoc = Object.entries(redisAfter).map(([k, v]) => [k, (v - (redisBefore[k] ?? 0)) / Math.max(1, done)] as const)
      .filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${round(v, 2)}`);
    say(`one-page to 5: ${round(run.docsPerSec, 2)} docs/s, ${done} done, ${failed} failed; CPU ms/doc ${JSON.stringify(perDoc)} (ours without loadgen ${round(total, 2)}); PostgreSQL ${JSON.stringify(msPerDoc(cpu.postgresParts(), done))}`);
    say(`machine: ${round(mAfter.total - mBefore.total, 1)} cpu-s capacity, ${round(mAfter.busy - mBefore.busy, 1)} busy; load ${loadBefore.map((v) => round(v, 2)).join(' ')} → ${os.loadavg().map((v) => round(v, 2)).join(' ')}`);
    say(`WAL per document: ${Number(walAfter - walBefore) / Math.max(1, done) | 0} bytes; Redis commands per document: ${redisPerDoc.join(', ')}`);
    if (tracked) {
      const c = new pg.Client({ connectionString: stack.databaseUrl });
      await c.connect();
      try {
        const t = await c.query(`SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY n_tup_ins + n_tup_upd DESC LIMIT 15`);
        for (const r of t.rows) say(`  table ${JSON.stringify(r)}`);
        const w = await c.query(`SELECT calls, wal_bytes::bigint AS wal, wal_fpi, round(total_exec_time) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS q FROM pg_stat_statements ORDER BY wal_bytes DESC LIMIT 12`);
        for (const r of w.rows) say(`  wal ${String(round(Number(r.wal) / Math.max(1, done), 0)).padStart(7)} B/doc fpi ${r.wal_fpi} calls ${r.calls}: ${r.q}`);
        // Buffer pages each statement touched per document: a measure of its work that, unlike
        // execution time, a saturated machine does not inflate (nested statements included).
        const b = await c.query(`SELECT calls, shared_blks_hit + shared_blks_read AS blks, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS q FROM pg_stat_statements ORDER BY shared_blks_hit + shared_blks_read DESC LIMIT 15`);
        for (const r of b.rows) say(`  blocks ${String(round(Number(r.blks) / Math.max(1, done), 1)).padStart(7)}/doc calls ${String(round(Number(r.calls) / Math.max(1, done), 2)).padStart(6)}/doc: ${r.q}`);
        if (process.env.BENCH_TOPLEVEL === '1') {
          const tl = await c.query(`SELECT calls, round(total_exec_time) AS ms, wal_bytes::bigint AS wal, left(regexp_replace(query, '\\s+', ' ', 'g'), 200) AS q FROM pg_stat_statements WHERE toplevel ORDER BY calls DESC LIMIT 40`);
          for (const r of tl.rows) say(`  top ${String(round(Number(r.calls) / Math.max(1, done), 2)).padStart(6)}/doc ${String(r.ms).padStart(6)} ms ${String(round(Number(r.wal) / Math.max(1, done), 0)).padStart(6)} B: ${r.q}`);
        }
      } finally {
        await c.end();
      }
      const st = await topStatements(stack.databaseUrl, 40);
      for (const s of st) say(`  pg ${String(round(s.calls / Math.max(1, done), 2)).padStart(6)}/doc ${String(s.totalMs).padStart(6)} ms ${s.query}`);
    }
    if (process.env.BENCH_CPU_STAGES === '1') {
      // Method steps 7–8 of `make bench`: accept alone (workers stopped), then each stage alone.
      await workers.stop();
      const accept: HttpRateResult[] = [];
      for (let i = 0; i < 2; i++) accept.push(await lg<HttpRateResult>({ cmd: 'httpRate', target: 'accept', url: `${baseUrl}/v1/documents`, concurrency: 16, durationMs: 4_000 }));
      await gateway.stop();
      const db = new pg.Client({ connectionString: stack.databaseUrl });
      await db.connect();
      const alone = await measureStagesAlone(db, { ...env, LIENTHONG_PROCESS: 'workers' }, runDir, 600).finally(() => db.end());
      const ceilings: Record<string, number | null> = { accept: median(accept.map((r) => r.perSec)), ...Object.fromEntries(Object.entries(alone).map(([k, v]) => [k, v.docsPerSec])) };
      const slowest = Object.entries(ceilings).sort((a, b) => (a[1] ?? Infinity) - (b[1] ?? Infinity))[0]!;
      say(`stages alone (one-page-to-5 docs/s): ${Object.entries(ceilings).map(([k, v]) => `${k} ${round(v ?? NaN, 1)}`).join(', ')}; e2e ${round(run.docsPerSec, 2)} / ${slowest[0]} ${round(slowest[1] ?? NaN, 1)} = e2eVsSlowestStage ${round(run.docsPerSec / (slowest[1] ?? NaN), 3)}`);
    }
    if (profile) {
      await Promise.all(services.map((s) => s.stop()));
      services.length = 0;
      for (const p of summariseDir(profileDir)) say(`profile ${JSON.stringify(p).slice(0, 3000)}`);
    }
  } finally {
    await loadgen?.stop().catch(() => undefined);
    for (const s of services) await s.stop().catch(() => undefined);
    if (process.env.BENCH_KEEP === '1' && stack) {
      // Kept for a look at the database the run left (EXPLAIN, pg_stat_*): stop it with pg_ctl when done.
      say(`kept: ${runDir}; PostgreSQL still running at ${stack.databaseUrl}`);
    } else {
      await stack?.stop().catch(() => undefined);
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  }
}
