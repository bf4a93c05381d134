import type { Db } from '../db/pool';
import { pendingMigrations } from '../db/migrator';
import { listBaseBackups, stampOf, takeBaseBackup } from './base-backup';
import type { BackupTarget } from './backup-target';
import { baseBackupDue } from './backup-scheduler';
import { createRestorePoint } from './restore-points';

export interface MigrationGuard {
  pending: string[];
  /** The restore point taken before the first pending migration, when WAL is archived. */
  point: string | null;
  /** A base backup taken because none was recent. */
  baseBackup: string | null;
  /** One sentence for the operator: how to go back. */
  howToGoBack: string;
}

/**
 * Before pending migrations: a base backup when none is recent (within `baseEveryMin`), and a
 * restore point (when the server archives its WAL) right before the first migration, so a
 * migration that damages data can be undone with `lienthong restore --to point:NAME`.
 * Returns null when nothing is pending (a fresh database has nothing to protect either).
 */
export async function guardMigrations(db: Db, opts: { target: BackupTarget | undefined; databaseUrl: string; baseEveryMin: number; dir?: string }): Promise<MigrationGuard | null> {
  const pending = await pendingMigrations(db, opts.dir);
  if (pending === null || pending.length === 0) return null;
  if (!opts.target) {
    return { pending, point: null, baseBackup: null, howToGoBack: 'no backup folder is configured (LIENTHONG_BACKUP_DIR): these migrations cannot be undone by a restore' };
  }
  const archiving = (await db.query<{ archive_mode: string }>('SHOW archive_mode')).rows[0]!.archive_mode !== 'off';
  let baseBackup: string | null = null;
  if (!archiving || baseBackupDue(opts.target, opts.baseEveryMin) || listBaseBackups(opts.target).length === 0) {
    baseBackup = (await takeBaseBackup(opts.databaseUrl, opts.target, `before-${pending[0]}`)).id;
  }
  if (!archiving) {
    return { pending, point: null, baseBackup, howToGoBack: `the server does not archive its WAL, so there is no restore point; base backup ${baseBackup} was taken just now: while it is the newest, lienthong restore --to latest --into DIR goes back to it` };
  }
  const name = `before-${pending[0]!.replace(/\.sql$/, '')}-${stampOf(new Date())}`;
  const point = await createRestorePoint(db, opts.target, name, `before migrations ${pending.join(', ')}`);
  return {
    pending,
    point: point.name,
    baseBackup,
    howToGoBack: `to go back to before these migrations: stop the service, then lienthong restore --to point:${point.name} --into <data folder>/postgres --force`,
  };
}
