import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; the workers finish in-flight jobs first. */
  stop(): Promise<void>;
  /** kill -9: the process dies mid-whatever, as in a crash. */
  kill9(): Promise<void>;
}

/**
 * The real worker process (dist/workers/main.js) with the test environment plus `env`. Its log
 * lines are written one by one (LIENTHONG_LOG_BUFFER_BYTES=0): tests read them as they happen, and
 * some check that a line is absent, which a held block would pass wrongly. The blocks themselves
 * are tested in test/unit/logging/log-buffering.test.ts.
 */
export function spawnWorker(env: Record<string, string> = {}, args: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'workers', 'main.js'), ...args], {
    env: { ...process.env, LIENTHONG_PROCESS: 'workers', LIENTHONG_LOG_BUFFER_BYTES: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b.toString()));
  child.stderr!.on('data', (b) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
