import path from 'node:path';
import type { HttpRateResult, LoadgenCommand } from './loadgen-protocol';
import { IpcChild, startService, waitReady, type Service } from './processes';
import type { BenchDirectory } from './seed';
import { pairedRatio } from './stats';

/**
 * One database's accept path kept running for the whole comparison: its own gateway and its own
 * load generator (set up with that database's keys), so rounds on two databases can alternate
 * without restarting anything between them.
 */
export interface AcceptTarget {
  readonly name: string;
  /** One closed-loop round of POST /v1/documents at `concurrency` for `durationMs`. */
  round(durationMs: number, concurrency: number): Promise<HttpRateResult>;
  stop(): Promise<void>;
}

export async function startAcceptTarget(o: {
  name: string;
  databaseUrl: string;
  dir: BenchDirectory;
  port: number;
  env: NodeJS.ProcessEnv;
  loadgenEnv: NodeJS.ProcessEnv;
  runDir: string;
}): Promise<AcceptTarget> {
  const baseUrl = `http://127.0.0.1:${o.port}`;
  const gateway: Service = startService('gateway', 'services/gateway/main.js', { ...o.env, PORT: String(o.port), LIENTHONG_PROCESS: 'gateway' }, path.join(o.runDir, `gateway-accept-${o.name}.log`));
  let loadgen: IpcChild | undefined;
  try {
    await waitReady(`${baseUrl}/health/ready`, 60_000);
    loadgen = new IpcChild('bench/src/loadgen.js', o.loadgenEnv);
    const lg = <T>(c: LoadgenCommand) => loadgen!.call<T>(c);
    await lg({ cmd: 'setup', setup: { baseUrl, databaseUrl: o.databaseUrl, senders: o.dir.senders, five: o.dir.five, group50: o.dir.group50, group500: o.dir.group500 } });
    const url = `${baseUrl}/v1/documents`;
    return {
      name: o.name,
      round: (durationMs, concurrency) => lg<HttpRateResult>({ cmd: 'httpRate', target: 'accept', url, concurrency, durationMs }),
      stop: async () => {
        await loadgen?.stop().catch(() => undefined);
        await gateway.stop();
      },
    };
  } catch (err) {
    await loadgen?.stop().catch(() => undefined);
    await gateway.stop().catch(() => undefined);
    throw err;
  }
}

export interface SideBySide {
  /** Rounds on `a` and on `b`, in the order they were measured within their own list. */
  a: HttpRateResult[];
  b: HttpRateResult[];
  /** The median over the pairs of b's rate over a's (each pair measured back to back). */
  bOverA: number | null;
}

/**
 * Accept on two databases compared in alternating rounds (a b, b a, a b, …), after a warm-up
 * round on each. Minutes apart, two measures of one database differed by 25–30% on this shared
 * machine (the eleventh session's growth runs), more than the 10% the comparison is about; rounds
 * seconds apart see the same machine, and the order alternates so neither side always goes first.
 */
export async function acceptSideBySide(a: AcceptTarget, b: AcceptTarget, o: { pairs: number; durationMs: number; warmupMs: number; concurrency: number }): Promise<SideBySide> {
  await a.round(o.warmupMs, o.concurrency);
  await b.round(o.warmupMs, o.concurrency);
  const ra: HttpRateResult[] = [];
  const rb: HttpRateResult[] = [];
  for (let i = 0; i < o.pairs; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    for (const t of order) (t === a ? ra : rb).push(await t.round(o.durationMs, o.concurrency));
  }
  return { a: ra, b: rb, bOverA: pairedRatio(ra.map((r) => r.perSec), rb.map((r) => r.perSec)) };
}
