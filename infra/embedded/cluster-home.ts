// Where the embedded PostgreSQL cluster lives when we are root.
//
// PostgreSQL refuses to run as root, so as root it runs as a system user ('postgres' or
// 'lienthong'). That user must traverse every folder above its cluster. A data folder such as
// `mktemp -d` (0700, owned by root) is out of its reach; rather than loosen the permissions of the
// operator's folder, the cluster then lives in a private home the server user owns:
//   /var/lib/lienthong/postgres/<random id>/    0700, owned by the server user
// and the data folder remembers which one in `<dir>/cluster-home` (so restarts find the same
// cluster). The home's `data-folder` file names the data folder it belongs to.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run, type Log } from './common';
import { claimHome, sweepStaleHomes } from './stale-cluster-homes';

export interface RunAs { name: string; uid: number; gid: number }

/** Root of the private homes. */
export const HOMES_ROOT = '/var/lib/lienthong/postgres';

/** The folder holding data/, run/ and postgres.log for the cluster of `dir`. */
export async function clusterHome(dir: string, user: RunAs, log: Log): Promise<string> {
  const pointer = path.join(dir, 'cluster-home');
  // Homes of launchers killed with -9 whose data folders are gone (stale-cluster-homes.ts).
  await sweepStaleHomes(HOMES_ROOT, log);
  if (fs.existsSync(pointer)) {
    const home = fs.readFileSync(pointer, 'utf8').trim();
    if (!fs.existsSync(path.join(home, 'data-folder'))) {
      throw new Error(`${pointer} names ${home}, which holds no PostgreSQL cluster any more; remove ${pointer} to start a new one`);
    }
    claimHome(home);
    return home;
  }
  // A cluster already in dir (made when dir was reachable), or a dir the server user can reach.
  if (fs.existsSync(path.join(dir, 'data', 'PG_VERSION')) || (await firstUntraversable(dir, user)) === undefined) return dir;
  fs.mkdirSync(HOMES_ROOT, { recursive: true, mode: 0o711 });
  fs.chmodSync(HOMES_ROOT, 0o711); // the server user may enter, nobody may list
  const home = path.join(HOMES_ROOT, randomBytes(8).toString('hex'));
  fs.mkdirSync(home, { mode: 0o700 });
  claimHome(home); // before data-folder: a concurrent sweep sees a live owner, never a half-made home
  fs.writeFileSync(path.join(home, 'data-folder'), `${dir}\n`);
  fs.chownSync(home, user.uid, user.gid);
  await checkTraversable(home, user);
  fs.writeFileSync(pointer, `${home}\n`);
  log(`postgres: user '${user.name}' cannot reach ${dir}; its cluster lives in ${home} (named in ${pointer})`);
  return home;
}

/** The first folder on the way to dir that the user cannot traverse, or undefined. */
async function firstUntraversable(dir: string, user: RunAs): Promise<string | undefined> {
  const ancestors: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    ancestors.unshift(d);
    if (d === path.dirname(d)) break;
  }
  const script = 'for d in "$@"; do [ -x "$d" ] || { echo "$d"; exit 1; }; done';
  const res = await run('/bin/sh', ['-c', script, 'sh', ...ancestors], { uid: user.uid, gid: user.gid, cwd: '/' });
  return res.code === 0 ? undefined : res.output.trim() || dir;
}

/** The server user must be able to reach dir. */
export async function checkTraversable(dir: string, user: RunAs): Promise<void> {
  const blocked = await firstUntraversable(dir, user);
  if (blocked !== undefined) {
    throw new Error(`PostgreSQL runs as user '${user.name}' (it refuses root), but that user cannot traverse ` +
      `${blocked}; make it accessible (e.g. chmod o+x on it) or use a data dir elsewhere`);
  }
}
