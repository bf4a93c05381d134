/** Runs `op` back to back for `durationMs` (at least `minOps` times); returns operations per second. */
export async function opsPerSec(op: () => Promise<unknown> | unknown, durationMs: number, minOps = 3): Promise<number> {
  await op(); // warm: first-call compilation and lazy loading are not what we measure
  let n = 0;
  const started = performance.now();
  while (n < minOps || performance.now() - started < durationMs) {
    await op();
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

/**
 * Ours and the baseline alternately, `rounds` times, so a noisy neighbour hurts both alike; the
 * ratio is the median of the per-round ratios.
 */
export async function interleaved(
  ours: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  rounds: number,
  durationMs: number,
): Promise<{ ours: number[]; baseline: number[]; ratios: number[] }> {
  const out = { ours: [] as number[], baseline: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const a = await opsPerSec(ours, durationMs);
    const b = await opsPerSec(baseline, durationMs);
    out.ours.push(a);
    out.baseline.push(b);
    out.ratios.push(a / b);
  }
  return out;
}
