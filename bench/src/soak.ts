/* eslint-disable no-console -- the harness reports to the person at the terminal. */
/**
 * `make soak` (issue 25.4): the service under 50% of its measured maximum for SOAK_MINUTES
 * (default 20) with the mix, one-minute slices, every process's memory sampled each slice.
 * Writes the `soak` keys into bench/results/latest.json beside `make bench`'s figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';
import { cpuWindow, findGroups, machineCpu } from './cpu-accounting';
import type { ClosedResult, DocRecord, LoadgenCommand } from './loadgen-protocol';
import type { Kind } from './payloads';
import { IpcChild, startService, waitReady, type Service } from './processes';
import { printReport, target, writeJson } from './report';
import { seedDirectory } from './seed';
import { resetStatements, statementDelta, statementTotals, type StatementDelta } from './pg-statements';
import { memoryGrowth, MemorySampler, MIN_JUDGED_MINUTES, privateBytes } from './soak-memory';
import { percentile, round } from './stats';
import { contextGrowth, jitStatements, lateContexts, snapshotContexts, type ContextSnapshot } from './pg-memory-contexts';

const say = (msg: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const SLICE_MS = 60_000;

function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
  return { ...env, ...extra };
}

interface Slice {
  minute: number;
  sent: number;
  failures: number;
  p99Ms: number | null;
  /** Why the failed ones failed: HTTP status or the load generator's error, counted. */
  failureReasons: Record<string, number>;
  /** Private memory per process group, MB. */
  memoryMb: Record<string, number>;
  /** CPU milliseconds per document sent this minute, per process group (the loadgen not counted). */
  cpuMsPerDoc: Record<string, number>;
  /** The whole machine's busy share this minute (0..1 of all its cores), ours and anyone else's. */
  machineBusy: number | null;
  /** SOAK_STATEMENTS=1: the statements PostgreSQL spent most time on this minute. */
  statements?: StatementDelta[];
}

async function main(): Promise<void> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 20);
  const warmMinutes = Math.min(5, Math.max(1, Math.floor(minutes / 4)));
  const root = projectRoot();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-soak-'));
  fs.chmodSync(runDir, 0o755);
  let stack: EmbeddedStack | undefined;
  const services: Service[] = [];
  let loadgen: IpcChild | undefined;
  try {
    // SOAK_STATEMENTS=1: what PostgreSQL spends its time on, minute by minute (pg_stat_statements
    // loaded; a few percent of PostgreSQL's CPU, so not in the run whose figures are reported).
    const traceStatements = process.env.SOAK_STATEMENTS === '1';
    stack = await startEmbeddedStack({
      dataDir: runDir, fast: true,
      ...(traceStatements ? { postgresSettings: { shared_preload_libraries: "'pg_stat_statements'", 'pg_stat_statements.track': "'all'", 'pg_stat_statements.track_planning': 'on' } } : {}),
    });
    if (traceStatements && !(await resetStatements(stack.databaseUrl))) throw new Error('SOAK_STATEMENTS=1, but pg_stat_statements could not be created');
    const dir = await seedDirectory(stack.databaseUrl, stack.redisUrl, 20);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = serviceEnv({
      DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: dir.masterKeyHex,
      LIENTHONG_QUEUE_PREFIX: 'lienthong-bench', LIENTHONG_DATA_DIR: runDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info',
    });
    // Each Node process serves its /metrics on a port of its own (its main thread's heap, sampled with the memory).
    const [gatewayMetrics, workerMetrics] = [await freePort(), await freePort()];
    const gateway = startService('gateway', 'services/gateway/main.js', { ...env, LIENTHONG_PROCESS: 'gateway', LIENTHONG_METRICS_PORT: String(gatewayMetrics) }, path.join(runDir, 'gateway.log'));
    // SOAK_TRACE_GC=1: every collection of every isolate (the main thread's and the worker threads') in workers.log.
    const workerArgs = process.env.SOAK_TRACE_GC === '1' ? ['--trace-gc'] : [];
    const workers = startService('workers', 'workers/main.js', { ...env, LIENTHONG_PROCESS: 'workers', LIENTHONG_WORKER_METRICS_PORT: String(workerMetrics) }, path.join(runDir, 'workers.log'), workerArgs);
    services.push(gateway, workers);
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    loadgen = new IpcChild('bench/src/loadgen.js', serviceEnv({}));
    const lg = <T>(c: LoadgenCommand) => loadgen!.call<T>(c);
    await lg({ cmd: 'setup', setup: { baseUrl, databaseUrl: stack.databaseUrl, senders: dir.senders, five: dir.five, group50: dir.group50, group500: dir.group500 } });
    const kinds: Kind[] = ['pdf1x5', 'body1x5', 'pdf20x50'];
    // The maximum of this run's machine, as make bench measures it (shorter).
    let best = 0;
    for (const inflight of [8, 16, 32]) {
      const r = await lg<ClosedResult>({ cmd: 'closed', kinds, inflight, warmupMs: 2_000, durationMs: 15_000 });
      best = Math.max(best, r.docsPerSec);
    }
    const rate = best * 0.5;
    say(`maximum ${round(best, 2)} docs/s; soaking ${minutes} min at ${round(rate, 2)}/s`);
    const redisPort = Number(new URL(stack.redisUrl).port);
    const groupsNow = () => findGroups(runDir, redisPort, { gateway: gateway.pid, workers: workers.pid });
    const sampler = new MemorySampler(groupsNow, {
      gateway: { pid: gateway.pid, metricsUrl: `http://127.0.0.1:${gatewayMetrics}/metrics` },
      workers: { pid: workers.pid, metricsUrl: `http://127.0.0.1:${workerMetrics}/metrics` },
    });
    sampler.start();
    const slices: Slice[] = [];
    const pgContexts: { snap: ContextSnapshot; anon: Map<number, number> }[] = [];
    const records: { minute: number; r: DocRecord }[] = [];
    for (let m = 1; m <= minutes; m++) {
      const cpu = cpuWindow(groupsNow);
      const machineBefore = machineCpu();
      const statementsBefore = traceStatements ? await statementTotals(stack.databaseUrl) : undefined;
      const got = await lg<DocRecord[]>({ cmd: 'open', kinds, rate, durationMs: SLICE_MS });
      const used = cpu.stop();
      const machineAfter = machineCpu();
      const statements = statementsBefore ? statementDelta(statementsBefore, await statementTotals(stack.databaseUrl), 8) : undefined;
      const cpuMsPerDoc = Object.fromEntries(
        Object.entries(used).filter(([k]) => k !== 'wallSeconds').map(([k, v]) => [k, round(((v as { cpuSeconds: number }).cpuSeconds * 1000) / Math.max(1, got.length), 2)!]),
      );
      const span = machineAfter.total - machineBefore.total;
      const machineBusy = span > 0 ? round((machineAfter.busy - machineBefore.busy) / span, 3) : null;
      for (const r of got) records.push({ minute: m, r });
      const groups = groupsNow();
      const memoryMb = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, round(pids.reduce((n, p) => n + privateBytes(p), 0) / 1048576, 1)!]));
      const ok = got.filter((r) => r.tDone !== null && !r.error).map((r) => r.tDone! - r.tSend);
      const failureReasons: Record<string, number> = {};
      for (const r of got.filter((x) => x.tDone === null || x.error)) {
        const why = `${r.httpStatus}${r.error ? ` ${r.error.slice(0, 80)}` : r.tAccepted === null ? ' not accepted' : ' not delivered in time'}`;
        failureReasons[why] = (failureReasons[why] ?? 0) + 1;
      }
      slices.push({ minute: m, sent: got.length, failures: got.length - ok.length, p99Ms: round(percentile(ok, 99)), failureReasons, memoryMb, cpuMsPerDoc, machineBusy, ...(statements ? { statements } : {}) });
      const last = sampler.samples.at(-1);
      say(`minute ${m}: ${got.length} sent, ${got.length - ok.length} failed${ok.length < got.length ? ` ${JSON.stringify(failureReasons)}` : ''}, p99 ${slices.at(-1)!.p99Ms} ms, memory MB ${JSON.stringify(memoryMb)}; node ${JSON.stringify(last?.node ?? {})}`);
      say(`minute ${m}: CPU ms/doc ${JSON.stringify(cpuMsPerDoc)}, machine busy ${machineBusy}`);
      for (const st of statements?.slice(0, 5) ?? []) say(`  ${st.totalMs} ms, ${st.calls} calls, ${st.meanMs} ms each: ${st.query}`);
      // SOAK_PG_CONTEXTS=1: every client backend's memory contexts at the end of the warm-up and
      // of the soak, with its private memory, to tell a growth in caches and plans from one outside them.
      if (process.env.SOAK_PG_CONTEXTS === '1' && (m === warmMinutes || m === minutes)) {
        const snap = await snapshotContexts(stack.databaseUrl);
        const anon = new Map([...snap.byPid.keys()].map((pid) => [pid, Math.round(privateBytes(pid) / 1024)]));
        pgContexts.push({ snap, anon });
        if (pgContexts.length === 2) {
          const [a, b] = pgContexts as [(typeof pgContexts)[0], (typeof pgContexts)[0]];
          const grown = (pid: number) => (b.anon.get(pid) ?? 0) - (a.anon.get(pid) ?? 0);
          // Every backend alive at both ends, the largest growth of private memory first.
          for (const g of contextGrowth(a.snap, b.snap).sort((x, y) => grown(y.pid) - grown(x.pid))) {
            say(`  backend ${g.pid}: RssAnon ${a.anon.get(g.pid)} → ${b.anon.get(g.pid)} KB; contexts ${g.fromKb} → ${g.toKb} KB; grew ${JSON.stringify(g.grew)}`);
          }
          for (const l of lateContexts(a.snap, b.snap)) say(`  met late by ${l.backends} backends (${l.kb} KB in all): ${l.context}`);
          // With SOAK_STATEMENTS=1 as well: the statements PostgreSQL compiled with JIT (LLVM's
          // memory lives outside the contexts, in the backend that compiled them).
          if (traceStatements) {
            for (const j of await jitStatements(stack.databaseUrl)) say(`  JIT: ${j.calls} calls, ${j.functions} functions: ${j.query}`);
          }
        }
      }
    }
    sampler.stop();
    const p99Of = (from: number, to: number) =>
      percentile(records.filter((x) => x.minute > from && x.minute <= to && x.r.tDone !== null && !x.r.error).map((x) => x.r.tDone! - x.r.tSend), 99);
    const first = p99Of(0, warmMinutes);
    const rest = p99Of(warmMinutes, minutes);
    const at = (minute: number) => slices.find((s) => s.minute === minute)!.memoryMb;
    const single = Object.fromEntries(Object.keys(at(warmMinutes)).map((k) => [k, round(at(minutes)[k]! / Math.max(0.1, at(warmMinutes)[k]!), 3)!]));
    const mem = memoryGrowth(sampler.samples, warmMinutes, minutes, sampler.labels);
    const largest = (r: Record<string, number | null>) => Math.max(...Object.values(r).filter((v): v is number => v !== null));
    const pick = (r: Record<string, { ratio: number | null; fit: number | null }>, k: 'ratio' | 'fit') => Object.fromEntries(Object.entries(r).map(([n, g]) => [n, g[k]]));
    const growth = pick(mem.processes, 'ratio');
    const soak = {
      minutes,
      ratePerSec: round(rate, 2),
      maxDocsPerSec: round(best, 2),
      // Issue 25 item 4: "the RSS of every process", so the largest of the processes, each after a
      // warm-up as long as the soak's (soak-memory.ts); each from the soak's own minute 5, and the
      // groups' sums (what this key was until the fifteenth session), beside it.
      rssGrowthRatio: largest(growth),
      rssGrowthByProcess: growth,
      rssGrowthFitRatio: largest(pick(mem.processes, 'fit')),
      rssGrowthFitByProcess: pick(mem.processes, 'fit'),
      rssGrowthJudgedFromMinute: Object.fromEntries(Object.entries(mem.processes).map(([n, g]) => [n, g.fromMinute])),
      rssGrowthFromSoakMinuteRatio: largest(pick(mem.processesFromSoakStart, 'ratio')),
      rssGrowthFromSoakMinuteByProcess: pick(mem.processesFromSoakStart, 'ratio'),
      rssGrowthByGroup: pick(mem.groups, 'ratio'),
      rssGrowthFitByGroup: pick(mem.groups, 'fit'),
      rssGrowthSingleSampleRatio: largest(single),
      rssGrowthSingleSampleByGroup: single,
      memoryWindowsMb: Object.fromEntries(Object.entries(mem.groups).map(([g, x]) => [g, { at: x.at, end: x.end, min: x.min, max: x.max }])),
      memoryProcessWindowsMb: Object.fromEntries(Object.entries(mem.processes).map(([g, x]) => [g, { at: x.at, end: x.end, min: x.min, max: x.max }])),
      transientProcesses: mem.transient,
      memory:
        `private memory (RssAnon) of every process, sampled every 5 s. Per process, from the end of its warm-up (minute ${warmMinutes}, or ${warmMinutes} minutes after its first ` +
        `sample for a process born later: rssGrowthJudgedFromMinute) to minute ${minutes}, if that is at least ${MIN_JUDGED_MINUTES} minutes and it is alive at the end: the median ` +
        `of its samples within 30 s of the start against the median of minute ${minutes}'s samples (rssGrowthByProcess; rssGrowthRatio is the largest); a least-squares line ` +
        `through its samples from the start on, its value at the end over its value at the start (rssGrowthFitByProcess). From the soak's minute ${warmMinutes} for every process ` +
        `alive then and at the end, whatever its age (rssGrowthFromSoakMinuteByProcess). The same per group, its processes summed at each sample, short-lived ones ` +
        `included (rssGrowthByGroup, rssGrowthFitByGroup); the groups' single samples at the end of minutes ${warmMinutes} and ${minutes} (rssGrowthSingleSampleByGroup); ` +
        `processes born or gone between the windows, per group (transientProcesses)`,
      memorySamples: sampler.samples,
      p99FirstMs: round(first),
      p99RestMs: round(rest),
      p99DriftRatio: first && rest ? round(rest / first, 3) : null,
      failures: slices.reduce((n, s) => n + s.failures, 0),
      slices,
      finishedAt: new Date().toISOString(),
    };
    const file = path.join(root, 'bench', 'results', 'latest.json');
    const latest = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    writeJson(file, { ...latest, soak });
    printReport(
      [
        ['soak minutes / rate (docs/s)', `${soak.minutes} / ${soak.ratePerSec}`],
        ['memory growth per process, window medians (largest; each)', `${soak.rssGrowthRatio}; ${JSON.stringify(growth)}`],
        ['memory growth per process, fitted line (largest; each)', `${soak.rssGrowthFitRatio}; ${JSON.stringify(soak.rssGrowthFitByProcess)}`],
        ['memory growth per process from the soak\'s minute (largest; each)', `${soak.rssGrowthFromSoakMinuteRatio}; ${JSON.stringify(soak.rssGrowthFromSoakMinuteByProcess)}`],
        ['memory growth per group, window medians; fitted line', `${JSON.stringify(soak.rssGrowthByGroup)}; ${JSON.stringify(soak.rssGrowthFitByGroup)}`],
        ['memory growth per group, single samples (largest; each)', `${soak.rssGrowthSingleSampleRatio}; ${JSON.stringify(single)}`],
        ['memory MB per group at / end / min / max', JSON.stringify(soak.memoryWindowsMb)],
        ['short-lived processes per group (count, largest MB)', JSON.stringify(mem.transient)],
        ['p99 first / rest (ms)', `${soak.p99FirstMs} / ${soak.p99RestMs}`],
        ['failures', soak.failures],
      ],
      [
        target('soak memory growth', 'soak.rssGrowthRatio', soak.rssGrowthRatio, '<=', 1.1),
        target('soak p99 drift', 'soak.p99DriftRatio', soak.p99DriftRatio, '<=', 1.2),
        target('soak failures', 'soak.failures', soak.failures, '<=', 0),
      ],
      minutes < 20 ? [`a ${minutes}-minute soak (SOAK_MINUTES): the issue asks for 20`] : [],
    );
  } finally {
    await loadgen?.stop().catch(() => undefined);
    for (const s of services) await s.stop().catch(() => undefined);
    await stack?.stop();
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`soak failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
