/* eslint-disable no-console -- the harness reports to the person at the terminal. */
/**
 * `BENCH_ONLY=overload` (issue 25, item 3): the mix maximum and the one-page-to-5 maximum, then the
 * open loop at 90% of the mix maximum (latency per kind and per stage: what makes the tail), then
 * 150% of the one-page maximum with admission control on. The same phases as the full run, in
 * about five minutes (BENCH_QUICK=1: two). Writes bench/results/overload-only.json (not latest.json:
 * the figures of record come from the full run). BENCH_MIX_INFLIGHT / BENCH_ONEPAGE_INFLIGHT skip
 * the saturation probes; BENCH_OVERLOAD_ADMISSION='{"LIENTHONG_ADMISSION_…":"…"}' overrides the gate.
 * For A/B runs of the 90% phase: BENCH_HALF_FIRST=1 runs the 50% phase before it (as the full run
 * does), BENCH_NINETY_RATE fixes its rate, BENCH_PG_SETTINGS='{"name":"value"}' sets PostgreSQL
 * settings, BENCH_PG_LOG=1 logs autovacuum and checkpoints (BENCH_KEEP=1 keeps the log).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStack, type EmbeddedStack } from '../../infra/embedded/embedded-stack';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';
import type { ClosedResult, DocRecord, LoadgenCommand } from './loadgen-protocol';
import { cpuWindow, findGroups, machineCpu } from './cpu-accounting';
import { summariseOverload } from './overload-phase';
import type { Kind } from './payloads';
import { probeDepths } from './probe-depths';
import { planFromEnv } from './plan';
import { IpcChild, startService, waitReady, type Service } from './processes';
import { seedDirectory } from './seed';
import { readMilestones, stageBreakdown } from './stages';
import { percentile, round, sustainedMaximum } from './stats';

/**
 * The gate of the overload phase (the full run's too): accepted documents' p99 target is 2 s; 40% of
 * it for queueing (0.5 gave p99 2.4 s on the loaded machine, 0.4 gave 1.4 s: BENCHMARKS.md § Overload).
 */
export const OVERLOAD_ADMISSION: Record<string, string> = {
  LIENTHONG_ADMISSION_MAX_DELAY_MS: '2000',
  LIENTHONG_ADMISSION_MARGIN: '0.4',
  LIENTHONG_ADMISSION_MIN_BACKLOG: '10',
  LIENTHONG_ADMISSION_SAMPLE_MS: '250',
};

/**
 * The mix's maximum measured again at the same in-flight level, just before the open-loop phases,
 * which run at fractions of the lower of the two measures (sustainedMaximum).
 */
export async function measureMixAgain(
  lg: <T>(c: LoadgenCommand) => Promise<T>,
  o: { kinds: Kind[]; inflight: number; durationMs: number; first: number; say: (m: string) => void },
): Promise<{ recheckPerSec: number; maxRate: number }> {
  const recheck = await lg<ClosedResult>({ cmd: 'closed', kinds: o.kinds, inflight: o.inflight, warmupMs: 2_000, durationMs: o.durationMs });
  const maxRate = sustainedMaximum(o.first, recheck.docsPerSec);
  o.say(`mix max measured again: ${round(recheck.docsPerSec, 2)} docs/s over ${o.durationMs / 1000} s; the open-loop phases use ${round(maxRate, 2)}/s`);
  return { recheckPerSec: recheck.docsPerSec, maxRate };
}

export function latencies(records: DocRecord[]) {
  const ok = records.filter((r) => r.tDone !== null && !r.error).map((r) => r.tDone! - r.tSend);
  return { n: ok.length, failed: records.length - ok.length, p50Ms: round(percentile(ok, 50)), p95Ms: round(percentile(ok, 95)), p99Ms: round(percentile(ok, 99)) };
}

/** Latency of each kind of the mix, and where each kind's time goes (from the workers' log). */
export function byKind(records: DocRecord[], workersLog: string | null) {
  const milestones = workersLog ? readMilestones(workersLog) : null;
  const kinds = [...new Set(records.map((r) => r.kind))];
  return Object.fromEntries(
    kinds.map((k) => {
      const mine = records.filter((r) => r.kind === k);
      return [k, { ...latencies(mine), ...(milestones ? { stages: stageBreakdown(mine, milestones).stages } : {}) }];
    }),
  );
}

/**
 * The phase second by second (by intended send time): the median latency of each second's
 * documents, and the seconds whose median passed `slowMs`. A tail made by one kind shows in every
 * second; a tail made by a stall (a checkpoint, a pause) shows as a run of slow seconds of every kind.
 */
export function slowSeconds(records: DocRecord[], slowMs = 500) {
  const ok = records.filter((r) => r.tDone !== null && !r.error);
  if (ok.length === 0) return [];
  const t0 = Math.min(...ok.map((r) => r.tSend));
  const bySecond = new Map<number, DocRecord[]>();
  for (const r of ok) {
    const s = Math.floor((r.tSend - t0) / 1000);
    bySecond.set(s, [...(bySecond.get(s) ?? []), r]);
  }
  return [...bySecond.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, rs]) => ({ second, n: rs.length, p50Ms: round(percentile(rs.map((r) => r.tDone! - r.tSend), 50)), kinds: [...new Set(rs.filter((r) => r.tDone! - r.tSend > slowMs).map((r) => r.kind))] }))
    .filter((x) => (x.p50Ms ?? 0) > slowMs);
}

const loads = () => os.loadavg().map((v) => round(v, 2)!);

export async function overloadOnly(say: (m: string) => void): Promise<void> {
  const plan = planFromEnv();
  const admission = { ...OVERLOAD_ADMISSION, ...(process.env.BENCH_OVERLOAD_ADMISSION ? (JSON.parse(process.env.BENCH_OVERLOAD_ADMISSION) as Record<string, string>) : {}) };
  const root = projectRoot();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-bench-overload-'));
  fs.chmodSync(runDir, 0o755);
  const services: Service[] = [];
  let loadgen: IpcChild | undefined;
  let stack: EmbeddedStack | undefined;
  const loadAtStart = loads();
  say(`overload-only (${plan.quick ? 'quick' : 'full'}); load ${loadAtStart.join(' ')}`);
  try {
    // BENCH_PG_LOG=1: autovacuum runs and checkpoints in postgres.log (with BENCH_KEEP=1, to line them up with slow seconds).
    // BENCH_PG_SETTINGS='{"name":"value"}': PostgreSQL settings of this run's server (trying a setting before it becomes the default).
    const pgSettings = {
      ...(process.env.BENCH_PG_LOG === '1' ? { log_autovacuum_min_duration: '0', log_checkpoints: 'on' } : {}),
      ...(process.env.BENCH_PG_SETTINGS ? (JSON.parse(process.env.BENCH_PG_SETTINGS) as Record<string, string>) : {}),
    };
    stack = await startEmbeddedStack({ dataDir: runDir, fast: true, postgresSettings: pgSettings });
    const dir = await seedDirectory(stack.databaseUrl, stack.redisUrl, plan.senders);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
    const env = { ...base, DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: dir.masterKeyHex, LIENTHONG_QUEUE_PREFIX: 'lienthong-bench', LIENTHONG_DATA_DIR: runDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', LIENTHONG_ADMISSION_MAX_DELAY_MS: '0' };
    let gateway = startService('gateway', 'services/gateway/main.js', { ...env, LIENTHONG_PROCESS: 'gateway' }, path.join(runDir, 'gateway.log'), []);
    const workersLog = path.join(runDir, 'workers.log');
    const workers = startService('workers', 'workers/main.js', { ...env, LIENTHONG_PROCESS: 'workers' }, workersLog, []);
    services.push(gateway, workers);
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    loadgen = new IpcChild('bench/src/loadgen.js', base);
    const lg = <T>(c: LoadgenCommand) => loadgen!.call<T>(c);
    await lg({ cmd: 'setup', setup: { baseUrl, databaseUrl: stack.databaseUrl, senders: dir.senders, five: dir.five, group50: dir.group50, group500: dir.group500 } });
    const probe = await lg<DocRecord>({ cmd: 'probeBody' });
    const kinds: Kind[] = probe.httpStatus === 202 && probe.tDone !== null && !probe.error ? ['pdf1x5', 'body1x5', 'pdf20x50'] : ['pdf1x5', 'pdf20x50'];
    await lg<ClosedResult>({ cmd: 'closed', kinds, inflight: plan.inflight, warmupMs: 0, durationMs: plan.warmupMs });
    const saturating = async (name: string, probeKinds: Kind[], fixed: string | undefined): Promise<number> => {
      if (fixed) return Number(fixed);
      const tried: string[] = [];
      const { best } = await probeDepths(plan.inflight, async (inflight) => {
        // Each probe's CPU per document done and the machine's idle share: does a deeper backlog make a document cheaper?
        const cpu = cpuWindow(groups);
        const m0 = machineCpu();
        const r = await lg<ClosedResult>({ cmd: 'closed', kinds: probeKinds, inflight, warmupMs: 1_000, durationMs: plan.probeMs });
        const used = cpu.stop();
        const m1 = machineCpu();
        const done = r.records.filter((x) => x.tDone !== null && !x.error).length;
        const ours = Object.entries(used).filter(([k]) => k !== 'wallSeconds' && k !== 'loadgen').reduce((n, [, v]) => n + (v as { cpuSeconds: number }).cpuSeconds, 0);
        const idle = (m1.total - m0.total - (m1.busy - m0.busy)) / Math.max(1e-9, m1.total - m0.total);
        tried.push(`${inflight}→${round(r.docsPerSec, 2)}/s (${round((ours * 1000) / Math.max(1, done), 1)} ms CPU/doc, idle ${round(idle * 100, 0)}%)`);
        return r.docsPerSec;
      });
      say(`${name}: probes ${tried.join(', ')}; measuring at ${best.inflight} in flight`);
      return best.inflight;
    };
    const groups = () => findGroups(runDir, Number(new URL(stack!.redisUrl).port), { gateway: gateway.pid, workers: workers.pid, loadgen: loadgen!.pid });
    const mixInflight = await saturating('mix', kinds, process.env.BENCH_MIX_INFLIGHT);
    const mix = await lg<ClosedResult>({ cmd: 'closed', kinds, inflight: mixInflight, warmupMs: plan.mixWarmupMs, durationMs: plan.mixMs });
    say(`mix max ${round(mix.docsPerSec, 2)}/s (${mixInflight} in flight); load ${loads().join(' ')}`);
    const onePageInflight = await saturating('pdf1x5', ['pdf1x5'], process.env.BENCH_ONEPAGE_INFLIGHT);
    const onePage = await lg<ClosedResult>({ cmd: 'closed', kinds: ['pdf1x5'], inflight: onePageInflight, warmupMs: 3_000, durationMs: plan.onePageMs });
    say(`one-page max ${round(onePage.docsPerSec, 2)}/s (${onePageInflight} in flight); load ${loads().join(' ')}`);
    const measured = await measureMixAgain(lg, { kinds, inflight: mixInflight, durationMs: plan.recheckMs, first: mix.docsPerSec, say });
    const { recheckPerSec } = measured;
    // BENCH_NINETY_RATE=R: the open-loop phases at R/0.9 as their maximum, whatever was measured (A/B runs offered the same load).
    const maxRate = process.env.BENCH_NINETY_RATE ? Number(process.env.BENCH_NINETY_RATE) / 0.9 : measured.maxRate;
    // BENCH_HALF_FIRST=1: the 50% phase first, as the full run has it (the 90% phase then starts from a short queue).
    if (process.env.BENCH_HALF_FIRST === '1') {
      const half = await lg<DocRecord[]>({ cmd: 'open', kinds, rate: maxRate * 0.5, durationMs: plan.openMs });
      say(`50% (${round(maxRate * 0.5, 2)}/s): ${JSON.stringify(latencies(half))}`);
    }
    const ninetyLoad = loads();
    say(`90% phase starts (epoch ms ${Date.now()})`);
    const ninety = await lg<DocRecord[]>({ cmd: 'open', kinds, rate: maxRate * 0.9, durationMs: plan.openMs });
    const ninetyKinds = byKind(ninety, workersLog);
    say(`90% (${round(maxRate * 0.9, 2)}/s): ${JSON.stringify(latencies(ninety))}; load ${ninetyLoad.join(' ')} → ${loads().join(' ')}`);
    for (const [k, v] of Object.entries(ninetyKinds)) say(`  ${k}: ${JSON.stringify(v)}`);
    const ninetySlow = slowSeconds(ninety);
    say(`  seconds with median > 500 ms: ${JSON.stringify(ninetySlow)}`);
    say(`  median per second: ${JSON.stringify(slowSeconds(ninety, -1).map((x) => x.p50Ms))}`);

    await gateway.stop();
    gateway = startService('gateway', 'services/gateway/main.js', { ...env, ...admission, LIENTHONG_PROCESS: 'gateway' }, path.join(runDir, 'gateway-overload.log'), []);
    services.push(gateway);
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    const offered = onePage.docsPerSec * 1.5;
    const overloadLoad = loads();
    const records = await lg<DocRecord[]>({ cmd: 'open', kinds: ['pdf1x5'], rate: offered, durationMs: plan.overloadMs });
    const overload = summariseOverload(records, offered);
    say(`overload at ${round(offered, 2)}/s: ${JSON.stringify(overload)}; load ${overloadLoad.join(' ')} → ${loads().join(' ')}`);
    const result = {
      at: new Date().toISOString(),
      quick: plan.quick,
      loadAtStart,
      mix: { kinds, docsPerSec: round(mix.docsPerSec, 2), recheckDocsPerSec: round(recheckPerSec, 2), inflight: mixInflight },
      onePage: { docsPerSec: round(onePage.docsPerSec, 2), inflight: onePageInflight },
      ninety: { ratePerSec: round(maxRate * 0.9, 2), load: ninetyLoad, ...latencies(ninety), byKind: ninetyKinds, slowSeconds: ninetySlow },
      overload: { ...overload, admission, load: overloadLoad, stages: stageBreakdown(records, readMilestones(workersLog)).stages },
    };
    const file = path.join(root, 'bench', 'results', 'overload-only.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    say(`written ${path.relative(root, file)}`);
  } finally {
    await loadgen?.stop().catch(() => undefined);
    for (const s of services) await s.stop().catch(() => undefined);
    await stack?.stop();
    if (process.env.BENCH_KEEP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
    else say(`kept ${runDir}`);
  }
}
