import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/embedded/free-port';
import { projectRoot } from '../../services/config/project-root';

export interface RunInstance {
  dataDir: string;
  baseUrl: string;
  output(): string;
  /** Ctrl-C as a person would, waits for the launcher to exit, then removes the data folder (and a private cluster home, and the backups beside it). */
  stop(): Promise<void>;
}

/** The environment without the test run's own service variables: the instance picks its own, like a fresh shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LIENTHONG_') && !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k)),
  );
  return { ...env, ...extra };
}

/**
 * What `make run` starts (dist/infra/run/run.js: private PostgreSQL and Redis, migrations, demo
 * seed, gateway, workers, development TSA), with its data folder in a fresh `mktemp -d`-style
 * folder (0700). Resolves when the launcher says it is running.
 */
export async function startRunInstance(timeoutMs = 240_000): Promise<RunInstance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-run-'));
  fs.chmodSync(dataDir, 0o700);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'infra', 'run', 'run.js')], {
    cwd: projectRoot(),
    env: cleanEnv({ LIENTHONG_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`make run did not come up in ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`make run exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
  return {
    dataDir,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      const pointer = path.join(dataDir, 'postgres', 'cluster-home');
      if (fs.existsSync(pointer)) fs.rmSync(fs.readFileSync(pointer, 'utf8').trim(), { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}-backups`, { recursive: true, force: true }); // make run's default backup folder
    },
  };
}

/** The fenced code blocks (```sh) of a README section, in order. */
export function readmeBlocks(section: string): string[] {
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${section}"`);
  const next = readme.indexOf('\n## ', start + 4);
  const text = readme.slice(start, next < 0 ? undefined : next);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}
