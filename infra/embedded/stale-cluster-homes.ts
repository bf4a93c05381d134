// Private cluster homes (cluster-home.ts) left behind.
//
// A home belongs to the data folder named in its `data-folder` file, which names it back in
// `<data folder>/cluster-home`. A launcher killed with -9 (a test run, a `make run` whose
// temporary data folder was then deleted) cannot remove its home: the next start as root does.
// A home is stale when its data folder is gone or no longer names it, AND the process that last
// started it (`owner.pid`) is gone. A PostgreSQL still running there (its `postmaster.pid`), an
// orphan nobody can reach any more, is shut down first (immediate mode: nothing in it is kept).
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, processCmdline, sleep, type Log } from './common';

const OWNER_FILE = 'owner.pid';
/** A home without owner.pid (made before it existed) counts as ownerless once this old. */
const UNOWNED_GRACE_MS = 10 * 60_000;

/** Records the process starting the cluster of `home` (the sweep leaves a home alone while it lives). */
export function claimHome(home: string): void {
  fs.writeFileSync(path.join(home, OWNER_FILE), `${process.pid}\n`);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the data folder named by the home still names the home back. */
function claimedByItsFolder(home: string): boolean {
  let folder: string;
  try {
    folder = fs.readFileSync(path.join(home, 'data-folder'), 'utf8').trim();
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(path.join(folder, 'cluster-home'), 'utf8').trim() === home;
  } catch {
    return false;
  }
}

function ownerAlive(home: string): boolean {
  const owner = readPid(path.join(home, OWNER_FILE));
  if (owner !== undefined) return isProcessAlive(owner);
  try {
    return Date.now() - fs.statSync(path.join(home, 'data-folder')).mtimeMs < UNOWNED_GRACE_MS;
  } catch {
    return Date.now() - fs.statSync(home).mtimeMs < UNOWNED_GRACE_MS;
  }
}

/** Stops an orphan server of the home, if one runs; false when it would not stop. */
async function stopOrphan(home: string, log: Log): Promise<boolean> {
  const dataDir = path.join(home, 'data');
  const pid = readPid(path.join(dataDir, 'postmaster.pid'));
  if (pid === undefined || !isProcessAlive(pid)) return true;
  const cmd = processCmdline(pid) ?? '';
  if (!cmd.includes(dataDir)) return true; // the pid was reused by another program: not ours to signal
  log(`postgres: stopping the orphan server (pid ${pid}) of the stale cluster home ${home}`);
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 150 && isProcessAlive(pid); i++) await sleep(200);
  return !isProcessAlive(pid);
}

/**
 * Removes the stale homes under `root` (see above); returns the removed ones. Errors on one home
 * are logged and leave it for the next start: a sweep never stops a launch.
 */
export async function sweepStaleHomes(root: string, log: Log): Promise<string[]> {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const home = path.join(root, name);
    try {
      if (!fs.statSync(home).isDirectory() || claimedByItsFolder(home) || ownerAlive(home)) continue;
      if (!(await stopOrphan(home, log))) {
        log(`postgres: the server of the stale cluster home ${home} did not stop; left for the next start`);
        continue;
      }
      fs.rmSync(home, { recursive: true, force: true });
      log(`postgres: removed the stale cluster home ${home} (its data folder is gone and its launcher ended)`);
      removed.push(home);
    } catch (err) {
      log(`postgres: could not look at or remove ${home}: ${(err as Error).message}`);
    }
  }
  return removed;
}
