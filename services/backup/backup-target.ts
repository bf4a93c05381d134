import fs from 'node:fs';
import path from 'node:path';

/**
 * A backup folder: `base/<id>/pgdata` (pg_basebackup, plain format, with its backup_manifest) and
 * `base/<id>/backup.json`, `wal/` (archived WAL segments, gzip), `restore-points.jsonl`.
 * It holds documents and sealed keys: every level is created 0700, and never the master key.
 */
export interface BackupTarget {
  root: string;
  baseDir: string;
  walDir: string;
  pointsFile: string;
}

export function backupTarget(root: string): BackupTarget {
  const r = path.resolve(root);
  return { root: r, baseDir: path.join(r, 'base'), walDir: path.join(r, 'wal'), pointsFile: path.join(r, 'restore-points.jsonl') };
}

/**
 * The backup folder for this configuration: LIENTHONG_BACKUP_DIR (`off` disables), else for the
 * embedded set-up `<data folder>-backups` beside the data folder (so deleting the data folder
 * leaves the backups), else none.
 */
export function resolveBackupDir(configured: string | undefined, dataDir: string, embedded: boolean): string | undefined {
  if (configured === 'off') return undefined;
  if (configured) return path.resolve(configured);
  return embedded ? defaultBackupDir(dataDir) : undefined;
}

export function defaultBackupDir(dataDir: string): string {
  return `${path.resolve(dataDir).replace(/\/+$/, '')}-backups`;
}

/** Paths go into archive_command/restore_command (run by /bin/sh): only plain characters. */
export function checkPlainPath(p: string): void {
  if (!/^[A-Za-z0-9_./@+-]+$/.test(p)) {
    throw new Error(`the backup folder ${p} must be a path of letters, digits and _ . / @ + - only (it is written into archive_command)`);
  }
}

/**
 * Creates the folder and its parts private (0700), tightening an existing one. `owner`: the user
 * the PostgreSQL server runs as (it writes wal/ through archive_command and reads it when
 * restoring), when we are root and the server is not.
 */
export function ensurePrivateTarget(target: BackupTarget, owner?: { uid: number; gid: number }): void {
  checkPlainPath(target.root);
  for (const d of [target.root, target.baseDir, target.walDir]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    if ((fs.statSync(d).mode & 0o077) !== 0) fs.chmodSync(d, 0o700);
  }
  if (owner && process.getuid?.() === 0) {
    for (const d of [target.root, target.walDir]) if (fs.statSync(d).uid !== owner.uid) fs.chownSync(d, owner.uid, owner.gid);
  }
}

/** The owner of a PostgreSQL data folder: the user the server runs as. */
export function ownerOf(dir: string): { uid: number; gid: number } | undefined {
  try {
    const s = fs.statSync(dir);
    return { uid: s.uid, gid: s.gid };
  } catch {
    return undefined;
  }
}
