// A private PostgreSQL server living entirely in one directory:
//   dir/data          the cluster (PGDATA)        dir/run   its unix socket
//   dir/postgres.log  server log                  dir/port  the remembered port
// Listens on 127.0.0.1 and a unix socket in dir/run (which its URL uses), trust auth, superuser `lienthong`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { checkTraversable, clusterHome, type RunAs } from './cluster-home';
import { availableMemory, memorySettings } from './postgres-memory';
import { backgroundSettings } from './postgres-background';
import { plannerSettings } from './postgres-planner';
import { allocatorFor } from './postgres-allocator';
import {
  choosePort, EmbeddedServer, findOnPath, isProcessAlive, Log, processCmdline, rememberPort, run,
  RunOptions, sleep, tailFile, waitForExit,
} from './common';

export type { EmbeddedServer } from './common';

export interface PostgresOptions {
  dir: string;
  port?: number;
  database?: string;
  /** Test instances only: fsync/synchronous_commit/full_page_writes off. */
  fast?: boolean;
  /** Extra settings written after ours, e.g. `{ shared_preload_libraries: "'pg_stat_statements'" }` (values as in postgresql.conf). */
  settings?: Record<string, string>;
  /** The role to connect as (default `lienthong`): a cluster restored from an external server's backup has that server's roles. */
  superuser?: string;
  log?: Log;
}

const SUPERUSER = 'lienthong';
const MIN_VERSION = 13;
const SYSTEM_USER = 'lienthong';
const HINT = 'run `bash infra/scripts/ensure-system-deps.sh` (Debian package `postgresql`)';

interface PgBin { dir: string; version: number }
export type { RunAs };

export async function startEmbeddedPostgres(opts: PostgresOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => undefined);
  const dir = path.resolve(opts.dir);
  const database = opts.database ?? 'lienthong';

  fs.mkdirSync(dir, { recursive: true });
  const runAs = await resolveRunAs(log);
  // As root, the cluster lives where its user can reach it: dir itself, or a private home (cluster-home.ts).
  const home = runAs ? await clusterHome(dir, runAs, log) : dir;
  const dataDir = path.join(home, 'data');
  const sockDir = path.join(home, 'run');
  const logFile = path.join(home, 'postgres.log');
  refuseIfRunning(dataDir, sockDir);
  const exec: RunOptions = { cwd: home, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) };
  if (runAs) await checkTraversable(home, runAs);

  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const bin = findPgBin(initialised ? Number(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8')) : undefined);
  for (const d of [dataDir, sockDir]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  if (!initialised) clearDir(dataDir, log); // leftovers of an interrupted initdb
  fs.appendFileSync(logFile, '');
  if (runAs) {
    // pg_ctl and the server write these as runAs; chown -R only if ownership is off.
    if (fs.statSync(dataDir).uid !== runAs.uid) await mustRun('chown', ['-R', `${runAs.uid}:${runAs.gid}`, dataDir]);
    for (const p of [sockDir, logFile]) fs.chownSync(p, runAs.uid, runAs.gid);
  }
  if (!initialised) await initdb(bin, dataDir, exec, opts.fast === true, log);

  const { allocator, env } = allocatorFor(process.env['LIENTHONG_PG_ALLOCATOR'], process.env);
  // Retry: the chosen port may be grabbed meanwhile, or after a kill -9 the old
  // server's children may still hold shared memory for a moment.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await choosePort(dir, opts.port, log);
    writeConfig(dataDir, sockDir, port, opts.fast === true, runAs, opts.settings ?? {});
    const res = await run(path.join(bin.dir, 'pg_ctl'),
      ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s'], { ...exec, detached: true, env });
    if (res.code === 0) break;
    if (attempt >= 3) {
      throw new Error(`PostgreSQL failed to start in ${dataDir} on port ${port}: ${res.output.trim()}\n` +
        `--- tail of ${logFile} ---\n${tailFile(logFile)}`);
    }
    log(`postgres: start attempt ${attempt} failed, retrying`);
    await sleep(1000);
  }
  rememberPort(dir, port);
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) throw new Error(`PostgreSQL started in ${dataDir} but left no postmaster.pid`);
  log(`postgres ${bin.version} running on 127.0.0.1:${port} (pid ${pid}, data ${dataDir}, allocator ${allocator})`);

  let stopping: Promise<void> | undefined;
  const doStop = async (): Promise<void> => {
    if (!isProcessAlive(pid)) return;
    const res = await run(path.join(bin.dir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], exec);
    // pg_ctl returns once postmaster.pid is gone, and the postmaster unlinks it on its way out, a
    // moment before it has exited (on a busy machine, long enough to see): stop resolves when it has.
    if (!(await waitForExit(pid, 30_000))) {
      throw new Error(res.code !== 0 ? `pg_ctl stop failed for ${dataDir}: ${res.output.trim()}`
        : `PostgreSQL (pid ${pid}) still running 30 s after pg_ctl stop in ${dataDir}`);
    }
    log(`postgres on port ${port} stopped`);
  };
  // Clients connect through the unix socket when there is one: the same server, but a query costs
  // the client about 40% and the backend about 30% less CPU than over TCP loopback (measured with
  // node-pg on this project's machine). TCP stays open for tools and when the path is too long.
  const socketFile = path.join(sockDir, `.s.PGSQL.${port}`);
  const viaSocket = socketPathFits(sockDir, port) && fs.existsSync(socketFile) ? `?host=${encodeURIComponent(sockDir)}` : '';
  const server: EmbeddedServer = {
    url: `postgres://${encodeURIComponent(opts.superuser ?? SUPERUSER)}@127.0.0.1:${port}/${encodeURIComponent(database)}${viaSocket}`,
    port,
    pid,
    dataDir,
    stop: () => (stopping ??= doStop()),
    kill: (signal = 'SIGKILL') => process.kill(pid, signal),
  };
  try {
    await ensureDatabase(port, database, log, opts.superuser ?? SUPERUSER);
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw err;
  }
  return server;
}

/** Fails if a live postmaster owns dataDir; removes the leftovers of a crashed one. */
function refuseIfRunning(dataDir: string, sockDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) return;
  // A reused pid may belong to another postgres (other tests, the system
  // cluster): it is ours only if its command line names this data dir.
  const cmdline = processCmdline(pid);
  if (isProcessAlive(pid) && (cmdline === undefined || cmdline.includes(dataDir))) {
    const port = fs.readFileSync(pidFile, 'utf8').split('\n')[3]?.trim();
    throw new Error(`PostgreSQL is already running for ${dataDir} (pid ${pid}, port ${port}); ` +
      'another `make run` or test uses this data dir — stop it first or use another dir');
  }
  // Stale (crash / kill -9): the pid may since belong to an unrelated process,
  // which would make postgres refuse to start, so clear the lock files.
  fs.rmSync(pidFile, { force: true });
  if (fs.existsSync(sockDir)) {
    for (const f of fs.readdirSync(sockDir)) if (f.startsWith('.s.PGSQL.')) fs.rmSync(path.join(sockDir, f), { force: true });
  }
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Server binaries: the version that created the cluster, else the highest >= 13. */
function findPgBin(clusterVersion: number | undefined): PgBin {
  const found: PgBin[] = [];
  const root = '/usr/lib/postgresql';
  for (const v of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    const dir = path.join(root, v, 'bin');
    if (/^\d+$/.test(v) && ['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(dir, b)))) {
      found.push({ dir, version: Number(v) });
    }
  }
  const pgCtl = findOnPath('pg_ctl');
  if (pgCtl) {
    // pg_ctl runs the postgres next to its real path, so use that directory.
    const dir = path.dirname(fs.realpathSync(pgCtl));
    const m = /(\d+)/.exec(execFileSync(path.join(dir, 'pg_ctl'), ['--version'], { encoding: 'utf8' }));
    if (m?.[1] && ['initdb', 'postgres'].every((b) => fs.existsSync(path.join(dir, b)))) {
      found.push({ dir, version: Number(m[1]) });
    }
  }
  const usable = found.filter((b) => b.version >= MIN_VERSION).sort((a, b) => b.version - a.version);
  if (clusterVersion !== undefined) {
    const match = found.find((b) => b.version === clusterVersion);
    if (match) return match;
    throw new Error(`the PostgreSQL data dir was created by version ${clusterVersion}, but its binaries are not ` +
      `installed (found: ${found.map((b) => b.version).join(', ') || 'none'}); install postgresql-${clusterVersion} ` +
      'or move the data dir away');
  }
  const best = usable[0];
  if (!best) throw new Error(`PostgreSQL >= ${MIN_VERSION} server binaries (initdb, pg_ctl, postgres) not found; ${HINT}`);
  return best;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as `postgres` if that
 * user exists, else as a system user `lienthong` that we create.
 */
export async function resolveRunAs(log: Log): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', SYSTEM_USER]) {
    const user = await lookupUser(name);
    if (user) return user;
  }
  const res = await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER]);
  const user = await lookupUser(SYSTEM_USER); // a concurrent start may have created it
  if (!user) throw new Error(`cannot create system user ${SYSTEM_USER} to run PostgreSQL: ${res.output.trim()}`);
  log(`created system user ${SYSTEM_USER} to run PostgreSQL (it refuses to run as root)`);
  return user;
}

async function lookupUser(name: string): Promise<RunAs | undefined> {
  const uid = await run('id', ['-u', name]);
  const gid = await run('id', ['-g', name]);
  if (uid.code !== 0 || gid.code !== 0) return undefined;
  return { name, uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

async function initdb(bin: PgBin, dataDir: string, exec: RunOptions, fast: boolean, log: Log): Promise<void> {
  log(`postgres: initdb ${dataDir}`);
  // C.UTF-8 gives Unicode-aware upper()/lower() for Vietnamese text with
  // byte-order collation; fall back to no locale where it does not exist.
  const base = ['-D', dataDir, '-U', SUPERUSER, '-A', 'trust', '--encoding=UTF8', ...(fast ? ['--no-sync'] : [])];
  let res = await run(path.join(bin.dir, 'initdb'), [...base, '--locale=C.UTF-8'], exec);
  if (res.code !== 0) {
    log('postgres: initdb with locale C.UTF-8 failed, retrying with --no-locale');
    clearDir(dataDir, () => undefined);
    res = await run(path.join(bin.dir, 'initdb'), [...base, '--no-locale'], exec);
  }
  if (res.code !== 0) throw new Error(`initdb failed for ${dataDir}:\n${res.output.trim()}`);
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), "\ninclude_if_exists 'lienthong.conf'\n");
}

function socketPathFits(sockDir: string, port: number): boolean {
  return Buffer.byteLength(`${sockDir}/.s.PGSQL.${port}`) < 100;
}

/** Our settings, rewritten on each start (port and fast mode may change). */
function writeConfig(dataDir: string, sockDir: string, port: number, fast: boolean, runAs: RunAs | undefined, settings: Record<string, string>): void {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  // A unix socket path is limited to ~107 bytes; without one, clients use TCP.
  const socket = socketPathFits(sockDir, port) ? sockDir : '';
  const lines = [
    '# Written by infra/embedded/embedded-postgres.ts on every start; edits are lost.',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = ${q(socket)}`,
    ...(fast ? ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'] : []),
    ...Object.entries({
      ...memorySettings(availableMemory(), process.env['LIENTHONG_PG_SHARED_BUFFERS']),
      ...backgroundSettings(process.env['LIENTHONG_PG_AUTOVACUUM_COST_DELAY']),
      ...plannerSettings(process.env['LIENTHONG_PG_RANDOM_PAGE_COST']),
      ...settings,
    }).map(([k, v]) => `${k} = ${v}`),
  ];
  const file = path.join(dataDir, 'lienthong.conf');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  if (runAs) fs.chownSync(file, runAs.uid, runAs.gid);
}

async function ensureDatabase(port: number, database: string, log: Log, user = SUPERUSER): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      log(`postgres: created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

function clearDir(dir: string, log: Log): void {
  const entries = fs.readdirSync(dir);
  if (entries.length) log(`postgres: clearing ${dir} (no PG_VERSION: an initdb did not finish)`);
  for (const f of entries) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const res = await run(cmd, args);
  if (res.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.output.trim()}`);
}
