/** Small statistics helpers; percentiles by nearest rank so p99 of 100 samples is a real sample. */

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

/** A median with its spread (min–max), for figures repeated within one run. */
export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
  runs: number[];
}

export function spread(runs: number[]): Spread {
  return { median: median(runs), min: runs.length ? Math.min(...runs) : null, max: runs.length ? Math.max(...runs) : null, runs };
}

export function round(v: number | null | undefined, digits = 1): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** One maximum measured twice, a while apart: the lower is the one the machine sustains. A measure with nothing done is no measure. */
export function sustainedMaximum(first: number, second: number): number {
  return second > 0 ? Math.min(first, second) : first;
}

/**
 * The median over pairs of b[i] / a[i]: each pair measured back to back, so what the machine did
 * between pairs cancels out of each ratio. Pairs where a[i] is 0 (nothing measured) are left out.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number | null {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i]! > 0) ratios.push(b[i]! / a[i]!);
  return median(ratios);
}
