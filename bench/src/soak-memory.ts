import fs from 'node:fs';
import { median, round } from './stats';

/**
 * The soak's memory sampling (issue 25.4): every few seconds, each process group's private memory
 * (RssAnon: a PostgreSQL backend's shared buffers are not its growth), and for the Node processes
 * what it is made of: the threads they run, and, scraped from their /metrics, the main thread's V8
 * heap (used and committed), its external memory and ArrayBuffers. Worker threads' heaps are not in
 * those figures: RssAnon minus the main thread's committed heap and external memory is what the
 * threads, the allocator's free pages and the code take.
 */
export interface MemorySample {
  /** Seconds since the soak's first slice began. */
  t: number;
  /** Private memory per process group, MB. */
  groups: Record<string, number>;
  /** Per Node process: threads, main-thread heap used / committed, external memory (MB). */
  node: Record<string, { threads: number; heapUsed: number | null; heapTotal: number | null; external: number | null }>;
}

const MB = 1048576;

function statusField(pid: number, key: string): number {
  try {
    const v = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return v ? Number(v) : 0;
  } catch {
    return 0; // the process is gone
  }
}

/** Private memory of a process, bytes. */
export function privateBytes(pid: number): number {
  return statusField(pid, 'RssAnon') * 1024;
}

/** prom-client's default process metrics of one Node process (its main thread). */
async function scrape(url: string): Promise<Record<string, number>> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const text = await res.text();
    const out: Record<string, number> = {};
    for (const name of ['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes']) {
      const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
      if (m) out[name] = Number(m[1]);
    }
    return out;
  } catch {
    return {};
  }
}

export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = Date.now();
  private busy = false;

  constructor(
    private readonly groups: () => Record<string, number[]>,
    private readonly nodes: Record<string, { pid: number; metricsUrl: string | null }>,
    private readonly everyMs = 5_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sample(): Promise<MemorySample> {
    if (this.busy) return this.samples.at(-1)!;
    this.busy = true;
    try {
      const t = (Date.now() - this.t0) / 1000;
      const groups = Object.fromEntries(Object.entries(this.groups()).map(([k, pids]) => [k, round(pids.reduce((n, p) => n + privateBytes(p), 0) / MB, 1)!]));
      const node: MemorySample['node'] = {};
      for (const [name, n] of Object.entries(this.nodes)) {
        const m = n.metricsUrl ? await scrape(n.metricsUrl) : {};
        const mb = (k: string) => (m[k] === undefined ? null : round(m[k]! / MB, 1));
        node[name] = {
          threads: statusField(n.pid, 'Threads'),
          heapUsed: mb('nodejs_heap_size_used_bytes'),
          heapTotal: mb('nodejs_heap_size_total_bytes'),
          external: mb('nodejs_external_memory_bytes'),
        };
      }
      const s = { t, groups, node };
      this.samples.push(s);
      return s;
    } finally {
      this.busy = false;
    }
  }
}

/** Median of a group's samples between two moments (seconds). */
function windowMedian(samples: MemorySample[], group: string, from: number, to: number): number | null {
  return median(samples.filter((s) => s.t >= from && s.t <= to && s.groups[group] !== undefined).map((s) => s.groups[group]!));
}

/** Least-squares line through (t, value): value at `at`. */
function fitAt(points: [number, number][], at: number): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return my + slope * (at - mx);
}

export interface GrowthFigures {
  /** Per group: the median of the samples of the minute around `from` and of the last minute, their ratio. */
  medianRatio: Record<string, number | null>;
  /** Per group: a straight line fitted through every sample from `from` to the end, its value at the end over its value at `from`. */
  fitRatio: Record<string, number | null>;
  /** Per group: the median private memory (MB) in each window. */
  windows: Record<string, { at: number | null; end: number | null; min: number | null; max: number | null }>;
}

/**
 * Growth between minute `fromMinute` and the end (`minutes`), per group, two ways: medians of the
 * samples within ±30 s of minute `fromMinute` and of the last minute's samples; and a least-squares
 * line through all samples from minute `fromMinute - 0.5` on (the swing of a collector averages
 * out, a steady leak shows as a slope).
 */
export function memoryGrowth(samples: MemorySample[], fromMinute: number, minutes: number): GrowthFigures {
  const groups = [...new Set(samples.flatMap((s) => Object.keys(s.groups)))];
  const a = fromMinute * 60;
  const end = minutes * 60;
  const out: GrowthFigures = { medianRatio: {}, fitRatio: {}, windows: {} };
  for (const g of groups) {
    const at = windowMedian(samples, g, a - 30, a + 30);
    const last = windowMedian(samples, g, end - 60, end + 5);
    const pts = samples.filter((s) => s.t >= a - 30 && s.groups[g] !== undefined).map((s) => [s.t, s.groups[g]!] as [number, number]);
    const f0 = fitAt(pts, a);
    const f1 = fitAt(pts, end);
    const all = pts.map(([, y]) => y);
    out.medianRatio[g] = at && last ? round(last / at, 3)! : null;
    out.fitRatio[g] = f0 && f1 ? round(f1 / f0, 3)! : null;
    out.windows[g] = { at, end: last, min: all.length ? Math.min(...all) : null, max: all.length ? Math.max(...all) : null };
  }
  return out;
}
