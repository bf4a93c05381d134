import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Large files pass through temporary files under `<data dir>/tmp` (never the repository, never a
 * shared /tmp): an upload above the spill threshold, a blob a worker checks or signs, a signed
 * output on its way into storage. Each lives only while its handler runs.
 */
export function tempDirOf(dataDir: string): string {
  return path.resolve(dataDir, 'tmp');
}

/** A fresh path in `dir` (created if needed); nothing is created at the path itself. */
export function tempPath(dir: string, suffix = ''): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}${suffix}`);
}

/** Runs `fn` with fresh temporary paths and removes whatever it left there, success or not. */
export async function withTempFiles<T>(dir: string, count: number, fn: (...paths: string[]) => Promise<T>): Promise<T> {
  const paths = Array.from({ length: count }, () => tempPath(dir));
  try {
    return await fn(...paths);
  } finally {
    await Promise.all(paths.map(removeTemp));
  }
}

/**
 * One unlink for the usual case (a file, or nothing: a path the handler did not use); fs.rm's
 * checks (two lstat calls per path) only for what unlink cannot remove, such as a directory.
 */
async function removeTemp(p: string): Promise<void> {
  try {
    await fs.promises.unlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    await fs.promises.rm(p, { force: true, recursive: true });
  }
}

/**
 * Removes temporary files older than `maxAgeMs` (left by a process killed mid-job); called when a
 * gateway or worker process starts. Files of running processes are younger than any sane job.
 */
export function sweepTempDir(dir: string, maxAgeMs = 6 * 3600_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  const cutoff = Date.now() - maxAgeMs;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (fs.statSync(file).mtimeMs < cutoff) {
        fs.rmSync(file, { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
