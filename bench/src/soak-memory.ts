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
  /** Private memory per process group, MB (the sum over the group's processes at that moment). */
  groups: Record<string, number>;
  /** Private memory per process, MB: group → pid → MB. */
  pids: Record<string, Record<number, number>>;
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

/** What a process calls itself (a PostgreSQL child names its role: "postgres: checkpointer"). */
function processLabel(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim().slice(0, 60);
  } catch {
    return '';
  }
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
  /** Each process's name as first seen, by pid. */
  readonly labels: Record<number, string> = {};
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
      const pids: MemorySample['pids'] = {};
      for (const [k, list] of Object.entries(this.groups())) {
        pids[k] = {};
        for (const p of list) {
          const bytes = privateBytes(p);
          if (bytes === 0) continue; // gone, or a kernel thread
          pids[k][p] = round(bytes / MB, 2)!;
          this.labels[p] ??= processLabel(p);
        }
      }
      const groups = Object.fromEntries(Object.entries(pids).map(([k, m]) => [k, round(Object.values(m).reduce((n, v) => n + v, 0), 1)!]));
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
      const s = { t, groups, pids, node };
      this.samples.push(s);
      return s;
    } finally {
      this.busy = false;
    }
  }
}

/** Median of the values between two moments (seconds). */
function windowMedian(points: [number, number][], from: number, to: number): number | null {
  return median(points.filter(([t]) => t >= from && t <= to).map(([, v]) => v));
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

export interface Growth {
  /** The median of the samples within ±30 s of `from` and of the last minute's samples, their ratio. */
  ratio: number | null;
  /** A straight line fitted through every sample from `from - 30 s` on, its value at the end over its value at `from`. */
  fit: number | null;
  /** The two window medians, and the least and most seen (MB). */
  at: number | null;
  end: number | null;
  min: number | null;
  max: number | null;
}

/** One series' growth between `a` and `end` (seconds). */
function growthOf(points: [number, number][], a: number, end: number): Growth {
  const pts = points.filter(([t]) => t >= a - 30);
  const at = windowMedian(pts, a - 30, a + 30);
  const last = windowMedian(pts, end - 60, end + 5);
  const f0 = fitAt(pts, a);
  const f1 = fitAt(pts, end);
  const all = pts.map(([, y]) => y);
  return {
    ratio: at && last ? round(last / at, 3)! : null,
    fit: f0 && f1 ? round(f1 / f0, 3)! : null,
    at,
    end: last,
    min: all.length ? Math.min(...all) : null,
    max: all.length ? Math.max(...all) : null,
  };
}

export interface GrowthFigures {
  /** Per group, its processes summed at each sample, from minute `fromMinute`. */
  groups: Record<string, Growth>;
  /**
   * Per process, keyed "group pid name", from the end of ITS warm-up: minute `fromMinute` for a
   * process that was there when sampling began, `fromMinute` minutes after its first sample for
   * one born later (a pooled backend opened at minute 4 has not warmed up at minute 5). Only
   * processes alive at the end whose judged span is at least `MIN_JUDGED_MINUTES`.
   */
  processes: Record<string, Growth & { fromMinute: number }>;
  /** Per process alive at both of the soak's windows: growth from the soak's minute `fromMinute`, whatever its age then. */
  processesFromSoakStart: Record<string, Growth>;
  /** Per group, the processes not judged (born too late or gone before the end): how many, and the most private memory one of them had (MB). */
  transient: Record<string, { processes: number; largestMb: number }>;
}

/** The shortest span a process is judged over, from the end of its warm-up to the end (minutes). */
export const MIN_JUDGED_MINUTES = 5;

/**
 * Growth between minute `fromMinute` and the end (`minutes`), per group and per process, two
 * ways: medians of the samples within ±30 s of the start and of the last minute's samples; and a
 * least-squares line through all samples from the start on (the swing of a collector averages
 * out, a steady leak shows as a slope). A group's sum moves when short-lived processes come and go
 * (PostgreSQL's autovacuum workers and pooled backends), so growth is judged per process, each
 * after a warm-up as long as the soak's own; processes born too late or gone are counted apart.
 */
export function memoryGrowth(samples: MemorySample[], fromMinute: number, minutes: number, labels: Record<number, string> = {}): GrowthFigures {
  const a = fromMinute * 60;
  const end = minutes * 60;
  const first = samples[0]?.t ?? 0;
  const out: GrowthFigures = { groups: {}, processes: {}, processesFromSoakStart: {}, transient: {} };
  for (const g of [...new Set(samples.flatMap((s) => Object.keys(s.groups)))]) {
    out.groups[g] = growthOf(samples.filter((s) => s.groups[g] !== undefined).map((s) => [s.t, s.groups[g]!]), a, end);
    const series = new Map<number, [number, number][]>();
    for (const s of samples) for (const [pid, mb] of Object.entries(s.pids?.[g] ?? {})) {
      const list = series.get(Number(pid)) ?? [];
      list.push([s.t, mb]);
      series.set(Number(pid), list);
    }
    const transient = { processes: 0, largestMb: 0 };
    for (const [pid, pts] of series) {
      const key = `${g} ${pid}${labels[pid] ? ` ${labels[pid]}` : ''}`;
      const born = pts[0]![0] <= first ? -Infinity : pts[0]![0];
      const from = Math.max(a, born + a);
      const alive = (t0: number, t1: number) => pts.some(([t]) => t >= t0 && t <= t1);
      const atEnd = alive(end - 60, end + 5);
      if (alive(a - 30, a + 30) && atEnd) out.processesFromSoakStart[key] = growthOf(pts, a, end);
      if (atEnd && end - from >= MIN_JUDGED_MINUTES * 60 && alive(from - 30, from + 30)) {
        out.processes[key] = { ...growthOf(pts, from, end), fromMinute: round(from / 60, 1)! };
      } else if (pts.some(([t]) => t >= a - 30)) {
        transient.processes++;
        transient.largestMb = Math.max(transient.largestMb, ...pts.map(([, v]) => v));
      }
    }
    out.transient[g] = transient;
  }
  return out;
}
