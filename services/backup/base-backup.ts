import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { run } from '../../infra/embedded/common';
import { type BackupTarget, ensurePrivateTarget } from './backup-target';
import { dataVersion, pgTool } from './pg-tools';

/** What backup.json records beside each base backup. */
export interface BaseBackupInfo {
  id: string;
  label: string;
  startedAt: string;
  /** When pg_basebackup finished: a restore can reach any time after this (with the WAL archive). */
  finishedAt: string;
  /** The first WAL segment the backup needs (older archived segments serve only older backups). */
  startWal: string;
  timeline: number;
  pgVersion: number;
  bytes: number;
  seconds: number;
  /** Whom the backup connected as, and to which database (a restore of an external server's backup connects the same way). */
  user?: string;
  database?: string;
}

/** UTC stamp usable as a folder name and sorting as time: 20261204T203512Z. */
export function stampOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * pg_basebackup into base/<id>/pgdata: plain format (pg_verifybackup can check it, a restore is a
 * copy), the WAL needed for consistency streamed in (-X stream: restorable on its own), a fast
 * checkpoint, and a manifest with checksums of every file.
 */
export async function takeBaseBackup(databaseUrl: string, target: BackupTarget, label = 'lienthong'): Promise<BaseBackupInfo> {
  ensurePrivateTarget(target);
  // One base backup at a time (a manual `backup now` and the schedule): the second waits.
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [BASE_BACKUP_LOCK]);
    return await baseBackupLocked(databaseUrl, target, label);
  } finally {
    await lock.end().catch(() => undefined); // ending the session releases the lock
  }
}

const BASE_BACKUP_LOCK = 7_315_027;

async function baseBackupLocked(databaseUrl: string, target: BackupTarget, label: string): Promise<BaseBackupInfo> {
  const started = new Date();
  let id = stampOf(started);
  for (let n = 2; fs.existsSync(path.join(target.baseDir, id)); n++) id = `${stampOf(started)}-${n}`;
  const partial = path.join(target.baseDir, `${id}.partial`);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { mode: 0o700 });
  const pgdata = path.join(partial, 'pgdata');
  const res = await run(pgTool('pg_basebackup'), ['-d', databaseUrl, '-D', pgdata, '-Fp', '-X', 'stream', '-c', 'fast', '-l', label, '--no-password']);
  if (res.code !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(`pg_basebackup failed: ${res.output.trim()}`);
  }
  const finished = new Date();
  const labelText = fs.readFileSync(path.join(pgdata, 'backup_label'), 'utf8');
  const wal = /START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)/.exec(labelText)?.[1];
  const tli = Number(/START TIMELINE: (\d+)/.exec(labelText)?.[1] ?? 1);
  if (!wal) throw new Error(`pg_basebackup left a backup_label without START WAL LOCATION in ${pgdata}`);
  const info: BaseBackupInfo = {
    id,
    label,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    startWal: wal,
    timeline: tli,
    pgVersion: dataVersion(pgdata),
    bytes: folderBytes(pgdata),
    seconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    ...connectionOf(databaseUrl),
  };
  fs.writeFileSync(path.join(partial, 'backup.json'), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(partial, path.join(target.baseDir, id));
  return info;
}

function connectionOf(databaseUrl: string): { user?: string; database?: string } {
  try {
    const u = new URL(databaseUrl);
    return { user: decodeURIComponent(u.username) || undefined, database: decodeURIComponent(u.pathname.slice(1)) || undefined };
  } catch {
    return {};
  }
}

/** The complete base backups, oldest first (a `.partial` one is an interrupted run). */
export function listBaseBackups(target: BackupTarget): BaseBackupInfo[] {
  if (!fs.existsSync(target.baseDir)) return [];
  const out: BaseBackupInfo[] = [];
  for (const name of fs.readdirSync(target.baseDir)) {
    const file = path.join(target.baseDir, name, 'backup.json');
    if (name.endsWith('.partial') || !fs.existsSync(file)) continue;
    out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as BaseBackupInfo);
  }
  return out.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

export function baseBackupData(target: BackupTarget, id: string): string {
  return path.join(target.baseDir, id, 'pgdata');
}

export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}
