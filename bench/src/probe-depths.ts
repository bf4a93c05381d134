/**
 * Which number of documents in flight saturates the service: closed-loop probes at 1×, 2×, 4× and
 * 8× the base concurrency, run twice in mirrored order (12, 24, 48, 96, 96, 48, 24, 12). A machine
 * that drifts faster or slower over the probes then weighs on every depth alike, and one lucky
 * 8-second window cannot choose the depth alone: each depth's rate is the mean of its two probes.
 * (A single round in ascending order chose 12 in flight from one probe at 170.75/s, where the 30 s
 * measurement then gave 129.37/s; BENCHMARKS.md § The twenty-fourth session.)
 */
export interface DepthProbe {
  inflight: number;
  /** Mean of the two rounds. */
  docsPerSec: number;
  /** Each round's rate, in the order they ran (ascending round first). */
  rounds: number[];
}

export async function probeDepths(base: number, probe: (inflight: number) => Promise<number>): Promise<{ tried: DepthProbe[]; best: DepthProbe }> {
  const depths = [1, 2, 4, 8].map((k) => base * k);
  const rounds = new Map<number, number[]>(depths.map((d) => [d, []]));
  for (const inflight of [...depths, ...[...depths].reverse()]) rounds.get(inflight)!.push(await probe(inflight));
  const tried = depths.map((inflight) => {
    const r = rounds.get(inflight)!;
    return { inflight, rounds: r, docsPerSec: Math.round((r.reduce((a, b) => a + b, 0) / r.length) * 100) / 100 };
  });
  const best = [...tried].sort((a, b) => b.docsPerSec - a.docsPerSec)[0]!;
  return { tried, best };
}
