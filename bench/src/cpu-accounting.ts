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

function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14–17 of the line): the last two are the children this
    // process has waited for, e.g. the pdftotext runs of the workers' text helper.
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
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
}

/** Starts measuring; the groups are looked up again at the end so backends opened meanwhile count. */
export function cpuWindow(groupsNow: () => Groups): CpuWindow {
  const t0 = Date.now();
  const before = new Map<number, number>();
  for (const pid of Object.values(groupsNow()).flat()) before.set(pid, cpuTicks(pid));
  return {
    stop() {
      const wallSeconds = (Date.now() - t0) / 1000;
      const out: Record<string, { cpuSeconds: number; share: number }> = {};
      let total = 0;
      for (const [name, pids] of Object.entries(groupsNow())) {
        const ticks = pids.reduce((n, pid) => n + Math.max(0, cpuTicks(pid) - (before.get(pid) ?? 0)), 0);
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
