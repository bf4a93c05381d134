import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';

export interface GatewayProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** True while the process has not exited (a crash shows up here, not as a failed request). */
  alive(): boolean;
  /** Resident set size in MB from /proc, or 0 once the process is gone. */
  rssMb(): number;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/**
 * The real gateway (dist/services/gateway/main.js) as its own process, with the environment of the
 * caller plus `env`, listening on `port` (a fresh one unless given, so a restart can reuse it). Its
 * log lines are written one by one, as the worker fixture's are (worker.fixture.ts).
 * Resolves once /health/live answers.
 */
export async function spawnGateway(env: Record<string, string> = {}, port?: number): Promise<GatewayProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'services', 'gateway', 'main.js')], {
    env: { ...process.env, LIENTHONG_PROCESS: 'gateway', LIENTHONG_LOG_BUFFER_BYTES: '0', HOST: '127.0.0.1', PORT: String(p), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b.toString()));
  child.stderr!.on('data', (b) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const baseUrl = `http://127.0.0.1:${p}`;
  // Generous: on a busy machine loading the gateway's modules alone can take tens of seconds.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (!alive()) throw new Error(`the gateway exited at start:\n${out.slice(-2000)}`);
    const up = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      // Never leave the process behind: whoever called us cannot stop what it never got.
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the gateway did not listen on ${baseUrl} within 120 s:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    port: p,
    child,
    output: () => out,
    alive,
    rssMb() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Math.round(Number(m[1]) / 1024) : 0;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}
