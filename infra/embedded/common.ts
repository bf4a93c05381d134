// Helpers shared by the embedded PostgreSQL and Redis launchers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, isPortFree } from './free-port';

/** A private server process started by this package. */
export interface EmbeddedServer {
  url: string;
  port: number;
  /** Server pid (the postmaster for PostgreSQL); lets fault tests kill -9 it. */
  pid: number;
  /**
   * PostgreSQL: the cluster's data folder where it really is — under the folder asked for, or, as
   * root when the server's user cannot reach that folder, in a private home (cluster-home.ts).
   * Its owner is the user the server runs as (the one that writes archived WAL).
   */
  dataDir?: string;
  /** Stops the server cleanly; safe to call more than once. */
  stop(): Promise<void>;
  /** Sends a signal to the server process (default SIGKILL), for fault tests. */
  kill(signal?: NodeJS.Signals): void;
}

export type Log = (msg: string) => void;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * True when pid is a live process. A zombie counts as dead: a server we
 * spawned and killed stays a zombie until Node reaps it, but it holds nothing.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** The executable name of a process (/proc/PID/comm), or undefined. */
export function processName(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The command line of a process, NULs as spaces, or undefined. */
export function processCmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Waits until pid is gone; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export interface RunResult {
  code: number;
  output: string;
}

export interface RunOptions {
  uid?: number;
  gid?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** New session: Ctrl-C in the terminal must not hit servers forked by the command. */
  detached?: boolean;
}

/** Runs a command to completion, collecting stdout+stderr; never rejects on exit code. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** Last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Finds an executable on PATH (plus the usual sbin dirs, which non-root PATHs lack). */
export function findOnPath(name: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/local/bin', '/usr/bin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Port to listen on: the explicit one, else the one remembered in dir/port (so
 * URLs stay stable across restarts) if still free, else a fresh free port.
 */
export async function choosePort(dir: string, explicit: number | undefined, log: Log): Promise<number> {
  if (explicit !== undefined) return explicit;
  const file = path.join(dir, 'port');
  const remembered = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : NaN;
  if (Number.isInteger(remembered) && remembered > 0 && remembered < 65536) {
    if (await isPortFree(remembered)) return remembered;
    log(`port ${remembered} remembered in ${file} is taken; choosing another`);
  }
  return freePort();
}

export function rememberPort(dir: string, port: number): void {
  fs.writeFileSync(path.join(dir, 'port'), `${port}\n`);
}
