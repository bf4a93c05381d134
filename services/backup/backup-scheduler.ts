import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import { listBaseBackups, takeBaseBackup } from './base-backup';
import type { BackupTarget } from './backup-target';
import { applyRetention } from './retention';

const log = logger('backup');
// Any constant: one process at a time takes the scheduled base backup.
const BACKUP_LOCK = 7_315_026;

export interface BackupSchedule {
  target: BackupTarget;
  databaseUrl: string;
  baseEveryMin: number;
  keepDays: number;
  /** How often to look whether a base backup is due (default: a minute, or less when the period is shorter). */
  checkMs?: number;
}

/** True when the newest base backup is older than the period (or there is none). */
export function baseBackupDue(target: BackupTarget, baseEveryMin: number, now = Date.now()): boolean {
  const newest = listBaseBackups(target).at(-1);
  return !newest || now - Date.parse(newest.finishedAt) >= baseEveryMin * 60_000;
}

/**
 * One look: under an advisory lock (several worker processes may run this), take a base backup
 * when one is due, then drop what fell out of the kept window. WAL goes on continuously through
 * the server's archive_command; this only adds the daily (by default) base backups.
 */
export async function backupTick(db: Db, s: BackupSchedule): Promise<string | null> {
  const client = await db.connect();
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BACKUP_LOCK]);
    if (!got.rows[0]!.ok) return null;
    try {
      let taken: string | null = null;
      if (baseBackupDue(s.target, s.baseEveryMin)) {
        const info = await takeBaseBackup(s.databaseUrl, s.target, 'lienthong-scheduled');
        log.info({ id: info.id, bytes: info.bytes, seconds: info.seconds }, 'base backup taken');
        taken = info.id;
      }
      const removed = await applyRetention(s.target, s.keepDays);
      if (removed.length) log.info({ removed: removed.map((b) => b.id) }, 'base backups older than the kept window removed');
      return taken;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [BACKUP_LOCK]);
    }
  } finally {
    client.release();
  }
}

export function startBackupScheduler(db: Db, s: BackupSchedule): { stop(): Promise<void> } {
  const every = s.checkMs ?? Math.min(60_000, Math.max(1_000, s.baseEveryMin * 60_000 / 4));
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = backupTick(db, s).catch((err) => log.error({ err }, 'scheduled backup failed; will try again'));
  };
  const first = setTimeout(tick, Math.min(every, 5_000));
  const timer = setInterval(() => !stopped && void running.then(tick), every);
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
