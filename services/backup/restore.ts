import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { isProcessAlive, processCmdline, run, sleep, tailFile, type EmbeddedServer, type Log } from '../../infra/embedded/common';
import { startEmbeddedPostgres } from '../../infra/embedded/embedded-postgres';
import { archiveSettings, recoverySettings } from './archive-settings';
import { baseBackupData, listBaseBackups, stampOf, type BaseBackupInfo } from './base-backup';
import type { BackupTarget } from './backup-target';
import { listRestorePoints } from './restore-points';

export type RestoreTo = { kind: 'latest' } | { kind: 'time'; at: Date } | { kind: 'point'; name: string };

export interface RestoreRequest {
  target: BackupTarget;
  to: RestoreTo;
  /** An embedded-layout folder: the cluster goes to INTO/data, the socket to INTO/run. */
  into: string;
  /** Move existing data at INTO/data aside (never deleted) instead of refusing. */
  force?: boolean;
  /** Keep archiving into the same folder once promoted (the restored server becomes the live one). */
  archiveTimeoutS?: number;
  port?: number;
  log?: Log;
}

export interface RestoreResult {
  server: EmbeddedServer;
  base: BaseBackupInfo;
  /** The last transaction replayed: nothing committed after it is in the restored database. */
  recoveredTo: string | null;
  movedAside: string | null;
  seconds: number;
  /** A restore of an external server's backup: its own pg_hba.conf, kept here while the restore runs on local trust (putBackHba). */
  hbaKept?: string;
}

/**
 * A base backup of an external server (taken as a role other than the embedded `lienthong`) has
 * that server's configuration: the launcher's settings (port, socket, recovery) are included after
 * it, and while the restore runs, local connections are trusted (the server's own pg_hba.conf is
 * kept beside it and put back by putBackHba once the restored server is stopped).
 */
function prepareExternalCopy(dataDir: string, base: BaseBackupInfo): { hbaKept: string } | null {
  const conf = path.join(dataDir, 'postgresql.conf');
  const text = fs.readFileSync(conf, 'utf8');
  if (!/^include_if_exists 'lienthong.conf'\s*$/m.test(text)) fs.appendFileSync(conf, "\ninclude_if_exists 'lienthong.conf'\n");
  if (!base.user || base.user === 'lienthong') return null;
  const hba = path.join(dataDir, 'pg_hba.conf');
  const hbaKept = `${hba}.before-restore`;
  fs.renameSync(hba, hbaKept);
  fs.writeFileSync(hba, ['# written by lienthong restore: local connections only, while restoring', 'local all all trust', 'host all all 127.0.0.1/32 trust', ''].join('\n'));
  const owner = fs.statSync(hbaKept);
  fs.chownSync(hba, owner.uid, owner.gid);
  return { hbaKept };
}

/** Puts an external server's own pg_hba.conf back (the restored server stopped). */
export function putBackHba(r: Pick<RestoreResult, 'hbaKept'>): void {
  if (r.hbaKept) fs.renameSync(r.hbaKept, r.hbaKept.replace(/\.before-restore$/, ''));
}

/** Parses `latest`, `point:NAME` or an ISO-8601 time (with its zone). */
export function parseRestoreTo(text: string): RestoreTo {
  if (text === 'latest') return { kind: 'latest' };
  if (text.startsWith('point:') && text.length > 6) return { kind: 'point', name: text.slice(6) };
  const at = new Date(text);
  if (!/\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) throw new Error(`--to takes latest, point:NAME or a time such as 2026-12-04T21:05:00+07:00; got ${text}`);
  return { kind: 'time', at };
}

/** The newest base backup a restore to `to` can start from. */
export function chooseBase(target: BackupTarget, to: RestoreTo): BaseBackupInfo {
  const bases = listBaseBackups(target);
  if (bases.length === 0) throw new Error(`no base backup in ${target.root}`);
  let before: string | undefined;
  if (to.kind === 'time') before = to.at.toISOString();
  if (to.kind === 'point') {
    const p = listRestorePoints(target).find((x) => x.name === to.name);
    if (!p) throw new Error(`no restore point named ${to.name} in ${target.pointsFile}`);
    before = p.at;
  }
  const usable = before === undefined ? bases : bases.filter((b) => b.finishedAt < before!);
  const base = usable[usable.length - 1];
  if (!base) throw new Error(`${before} is before the oldest base backup (${bases[0]!.finishedAt} finished): outside the kept window`);
  return base;
}

/**
 * Brings up a PostgreSQL restored from the backup folder at the requested point: copies the base
 * backup to INTO/data, replays the archived WAL up to the target and promotes. Refuses when a live
 * server owns INTO/data, and when INTO/data holds a cluster unless `force` (then it is moved aside).
 */
export async function restoreBackup(req: RestoreRequest): Promise<RestoreResult> {
  const log = req.log ?? (() => undefined);
  const started = Date.now();
  const into = path.resolve(req.into);
  const dataDir = path.join(into, 'data');
  const movedAside = clearWay(dataDir, req.force === true);
  if (movedAside) log(`the data that was in ${dataDir} is kept in ${movedAside}`);
  const base = chooseBase(req.target, req.to);
  log(`restoring base backup ${base.id} (finished ${base.finishedAt}) into ${dataDir}`);
  fs.mkdirSync(into, { recursive: true });
  const copy = await run('cp', ['-a', baseBackupData(req.target, base.id), dataDir]);
  if (copy.code !== 0) throw new Error(`copying the base backup failed: ${copy.output.trim()}`);
  fs.chmodSync(dataDir, 0o700);
  fs.rmSync(path.join(dataDir, 'backup_manifest'), { force: true });
  fs.writeFileSync(path.join(dataDir, 'recovery.signal'), '');
  const external = prepareExternalCopy(dataDir, base);
  const settings = {
    ...(req.archiveTimeoutS ? archiveSettings(req.target.walDir, req.archiveTimeoutS) : { archive_mode: 'off' }),
    ...recoverySettings(req.target.walDir, req.to.kind === 'time' ? { time: req.to.at } : req.to.kind === 'point' ? { point: req.to.name } : {}),
  };
  const server = await startEmbeddedPostgres({
    dir: into, settings, log, ...(req.port ? { port: req.port } : {}),
    ...(external ? { superuser: base.user, database: base.database ?? 'postgres' } : {}),
  });
  const recoveredTo = await waitPromoted(server, path.join(into, 'postgres.log'));
  return { server, base, recoveredTo, movedAside, seconds: Math.round((Date.now() - started) / 100) / 10, ...(external ? { hbaKept: external.hbaKept } : {}) };
}

/** Refuses to touch a running cluster; moves a stopped one aside with `force`. */
function clearWay(dataDir: string, force: boolean): string | null {
  if (!fs.existsSync(dataDir) || fs.readdirSync(dataDir).length === 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    return null;
  }
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) && (processCmdline(pid) ?? dataDir).includes(dataDir)) {
    throw new Error(`a PostgreSQL server (pid ${pid}) is running on ${dataDir}: stop the service first; a restore never replaces running data`);
  }
  if (!force) {
    throw new Error(`${dataDir} already holds a database; restore into another folder, or add --force to move it aside (it is kept, not deleted)`);
  }
  const aside = `${dataDir}.before-restore-${stampOf(new Date())}`;
  fs.renameSync(dataDir, aside);
  return aside;
}

/** Waits until recovery ended and the server was promoted; the last replayed commit time. */
async function waitPromoted(server: EmbeddedServer, logFile: string): Promise<string | null> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    if (!isProcessAlive(server.pid)) {
      throw new Error(`the restored server stopped during recovery:\n${tailFile(logFile, 12)}\n` +
        '(“recovery ended before configured recovery target was reached”: the archive ends before that time; restore to an earlier time or to latest)');
    }
    const client = new Client({ connectionString: server.url });
    try {
      await client.connect();
      const r = await client.query<{ rec: boolean; last: Date | null }>('SELECT pg_is_in_recovery() AS rec, pg_last_xact_replay_timestamp() AS last');
      if (!r.rows[0]!.rec) return r.rows[0]!.last ? r.rows[0]!.last.toISOString() : null;
    } catch {
      /* starting, or shutting down after a failed recovery: the loop looks again */
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`recovery did not finish within 30 minutes:\n${tailFile(logFile, 12)}`);
    await sleep(200);
  }
}
