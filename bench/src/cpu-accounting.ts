import fs from 'node:fs';

/**
 * CPU seconds spent by each part of the system over a phase, from /proc/PID/stat (utime + stime,
 * user and system time of all of a process's threads). PostgreSQL is the postmaster and its
 * backends (children), a named process with its children, Redis the redis-server of this run; both found by the run folder in their
 * command line. Backends that exit during the phase take their CPU with them (the pools keep
 * theirs open, so little is lost). This says where the machine's time goes, which a CPU profile
 * of one Node process cannot.
 */
const TICKS = 100; // USER_HZ on Linux

/** Groups whose reaped children are not counted: an exiting backend would bring its whole life's CPU. */
const WITHOUT_REAPED = new Set(['postgres', 'redis']);

function cpuTicks(pid: number, withReaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime (fields 14 and 15 of the line); with cutime and cstime (16, 17), the children
    // this process has waited for, e.g. the pdftotext runs of the workers' text helper.
    const own = Number(fields[11]) + Number(fields[12]);
    return withReaped ? own + Number(fields[13]) + Number(fields[14]) : own;
  } catch {
    return 0;
  }
}

function ppidOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function allPids(): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export type Groups = Record<string, number[]>;

/**
 * gateway/workers/loadgen by pid; the postmaster through `runDir` in its command line (its backends
 * are its children); redis-server by its port (it rewrites its command line to `redis-server host:port`).
 */
export function findGroups(runDir: string, redisPort: number, named: Record<string, number>): Groups {
  const pids = allPids();
  const postmasters = pids.filter((p) => /postgres/.test(cmdline(p)) && cmdline(p).includes(runDir));
  const postgres = [...postmasters, ...pids.filter((p) => postmasters.includes(ppidOf(p)))];
  const redis = pids.filter((p) => new RegExp(`redis-server .*:${redisPort}\\b`).test(cmdline(p)));
  // A named process counts with its children (the workers' pdftotext helper).
  return { ...Object.fromEntries(Object.entries(named).map(([k, v]) => [k, [v, ...pids.filter((p) => ppidOf(p) === v)]])), postgres, redis };
}

export interface CpuWindow {
  stop(): Record<string, { cpuSeconds: number; share: number }> & { wallSeconds: number };
  /**
   * After stop(): PostgreSQL's CPU seconds split by what its processes do (their title): `clients`
   * (the backends serving our connections), `autovacuum` (launcher and workers alive at the end),
   * `background` (checkpointer, WAL writer, background writer, the postmaster…). A full run measures
   * right after other phases, whose rows autovacuum may still be cleaning up: this says how much.
   */
  postgresParts(): Record<'clients' | 'autovacuum' | 'background', number>;
}

/** CPU seconds by part, as milliseconds per document (`docs` at least 1), two decimals. */
export function msPerDoc(seconds: Record<string, number>, docs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round((v * 100_000) / Math.max(1, docs)) / 100]));
}

/** What a PostgreSQL process does, from the title it sets (`postgres: autovacuum worker`, …). */
function postgresPart(pid: number): 'clients' | 'autovacuum' | 'background' {
  const title = cmdline(pid);
  if (/autovacuum/.test(title)) return 'autovacuum';
  if (/postgres: (checkpointer|background writer|walwriter|wal writer|logical replication|archiver|stats|io worker|walsummarizer)/.test(title) || !/^postgres: /.test(title)) return 'background';
  return 'clients';
}

/** Starts measuring; the groups are looked up again at the end so backends opened meanwhile count. */
export function cpuWindow(groupsNow: () => Groups): CpuWindow {
  const t0 = Date.now();
  const before = new Map<number, number>();
  for (const [name, pids] of Object.entries(groupsNow())) for (const pid of pids) before.set(pid, cpuTicks(pid, !WITHOUT_REAPED.has(name)));
  const parts = { clients: 0, autovacuum: 0, background: 0 };
  return {
    postgresParts: () => ({ clients: parts.clients / TICKS, autovacuum: parts.autovacuum / TICKS, background: parts.background / TICKS }),
    stop() {
      const wallSeconds = (Date.now() - t0) / 1000;
      const out: Record<string, { cpuSeconds: number; share: number }> = {};
      let total = 0;
      for (const [name, pids] of Object.entries(groupsNow())) {
        let ticks = 0;
        for (const pid of pids) {
          const used = Math.max(0, cpuTicks(pid, !WITHOUT_REAPED.has(name)) - (before.get(pid) ?? 0));
          ticks += used;
          if (name === 'postgres') parts[postgresPart(pid)] += used;
        }
        out[name] = { cpuSeconds: ticks / TICKS, share: 0 };
        total += ticks / TICKS;
      }
      for (const v of Object.values(out)) v.share = total > 0 ? Math.round((v.cpuSeconds / total) * 1000) / 1000 : 0;
      return Object.assign(out, { wallSeconds }) as Record<string, { cpuSeconds: number; share: number }> & { wallSeconds: number };
    },
  };
}

/** Busy and total CPU seconds of the whole machine so far (/proc/stat), to see what others used. */
export function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}
