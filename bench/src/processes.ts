import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
export { waitReady } from '../../infra/run/wait-ready';

/** The compiled tree this file runs from (bench/dist): gateway and workers are compiled beside it. */
export const DIST = path.resolve(__dirname, '..', '..');

export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** SIGTERM, wait for a clean exit (in-flight work finishes; a --cpu-prof profile is written). */
  stop(): Promise<void>;
}

/**
 * Starts dist `entry` as its own Node process, stdout and stderr straight into `logFile` (no pipe
 * through this process, so reading the logs costs the benchmark nothing).
 */
export function startService(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = [], args: string[] = []): Service {
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, path.join(DIST, entry), ...args], { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    child,
    pid: child.pid!,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A forked helper (load generator, bare Express) speaking request/answer over IPC. */
export class IpcChild {
  readonly child: ChildProcess;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  constructor(entry: string, env: NodeJS.ProcessEnv = process.env) {
    this.child = fork(path.join(DIST, entry), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { seq?: number; result?: unknown; error?: string }) => {
      const p = m.seq !== undefined ? this.pending.get(m.seq) : undefined;
      if (!p) return;
      this.pending.delete(m.seq!);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${entry} exited with ${code}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T>(command: unknown): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.child.send({ seq, command });
    });
  }

  /** The first message the child sends unasked (the bare server's port). */
  firstMessage<T>(): Promise<T> {
    return new Promise((resolve) => this.child.once('message', (m) => resolve(m as T)));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

