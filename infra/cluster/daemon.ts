import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { isProcessAlive, sleep, tailFile, waitForExit } from '../embedded/common';

/** A server process of the cluster: its own session, output in a log file, stopped by pid. */
export interface Daemon {
  name: string;
  pid: number;
  logFile: string;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM (or the given signal), then SIGKILL after graceMs. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

export interface DaemonOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

export function startDaemon(name: string, cmd: string, args: string[], logFile: string, opts: DaemonOptions = {}): Daemon {
  const fd = fs.openSync(logFile, 'a');
  // Own session: a Ctrl-C in the terminal reaches the launcher, which stops each server in order.
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, uid: opts.uid, gid: opts.gid, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  child.on('error', () => undefined);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  const pid = child.pid;
  const d: Daemon = {
    name,
    pid,
    logFile,
    alive: () => isProcessAlive(pid),
    kill: (signal = 'SIGKILL') => {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    },
    async stop(graceMs = 15_000, signal = 'SIGTERM') {
      if (!d.alive()) return;
      d.kill(signal);
      if (!(await waitForExit(pid, graceMs))) {
        d.kill('SIGKILL');
        await waitForExit(pid, 5_000);
      }
    },
  };
  return d;
}

/** Polls `check` until it holds; on timeout throws with the daemon's log tail. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, daemon?: Daemon): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (daemon && !daemon.alive()) throw new Error(`${daemon.name} exited while waiting for ${what}:\n${tailFile(daemon.logFile, 25)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${daemon ? `:\n${tailFile(daemon.logFile, 25)}` : ''}`);
    await sleep(250);
  }
}
