/**
 * How long each phase runs. The full plan keeps `make bench` near 7–9 minutes on 2 cores;
 * BENCH_QUICK=1 is the ~2-minute smoke version used while developing (its figures are noisier).
 */
export interface Plan {
  quick: boolean;
  microRounds: number;
  microMs: number;
  noopJobs: number;
  noopRounds: number;
  warmupMs: number;
  lightCount: number;
  inflight: number;
  /** Each probe of the in-flight level that saturates the service (1×, 2×, 4×, 8× `inflight`). */
  probeMs: number;
  mixWarmupMs: number;
  mixMs: number;
  onePageMs: number;
  /** The mix's maximum measured again just before the open-loop phases; they take the lower of the two. */
  recheckMs: number;
  openMs: number;
  /** Open loop at 150% of the one-page-to-5 maximum with admission control on (issue 25). */
  overloadMs: number;
  fanoutRuns: number;
  bigBytes: number;
  httpRounds: number;
  httpMs: number;
  httpConcurrency: number;
  senders: number;
  /** Documents pushed through each stage alone (the deliver stage gets 5 dispatches each). */
  aloneCap: number;
}

export function planFromEnv(env: NodeJS.ProcessEnv = process.env): Plan {
  const quick = env.BENCH_QUICK === '1';
  const inflight = Number(env.BENCH_INFLIGHT ?? 12);
  return quick
    ? { quick, microRounds: 3, microMs: 700, noopJobs: 2_000, noopRounds: 1, warmupMs: 3_000, lightCount: 10, inflight, probeMs: 4_000, mixWarmupMs: 2_000, mixMs: 15_000, onePageMs: 8_000, recheckMs: 8_000, openMs: 10_000, overloadMs: 15_000, fanoutRuns: 1, bigBytes: 50_000_000, httpRounds: 1, httpMs: 3_000, httpConcurrency: 16, senders: 20, aloneCap: 200 }
    : { quick, microRounds: 8, microMs: 1_500, noopJobs: 5_000, noopRounds: 3, warmupMs: 10_000, lightCount: 30, inflight, probeMs: 8_000, mixWarmupMs: 5_000, mixMs: 60_000, onePageMs: 30_000, recheckMs: 20_000, openMs: 45_000, overloadMs: 60_000, fanoutRuns: 3, bigBytes: 50_000_000, httpRounds: 2, httpMs: 5_000, httpConcurrency: 16, senders: 20, aloneCap: 600 };
}
