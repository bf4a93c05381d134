import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import { listBaseBackups, takeBaseBackup } from './base-backup';
import type { BackupTarget } from './backup-target';
import { applyRetention } from './retention';
import { pushToS3, remoteIndex, removeExpiredRemote, type RemoteIndex } from './s3-sync';
import { describeS3, type S3Target } from './s3-target';

const log = logger('backup');
// Any constant: one process at a time takes the scheduled base backup.
const BACKUP_LOCK = 7_315_026;
// And one at a time copies the folder to the S3 target.
const S3_LOCK = 7_315_028;

export interface BackupSchedule {
  target: BackupTarget;
  databaseUrl: string;
  baseEveryMin: number;
  keepDays: number;
  /** How often to look whether a base backup is due (default: a minute, or less when the period is shorter). */
  checkMs?: number;
  /** An S3-compatible copy of the folder (s3-target.ts): new WAL and base backups are uploaded every `s3EveryMs`. */
  s3?: S3Target;
  s3EveryMs?: number;
}

/**
 * One copy to the S3 target under its advisory lock: what the folder has and the bucket has not
 * (pushToS3), and, with `expire`, the kept window applied in the bucket too.
 */
export async function s3Tick(db: Db, s: BackupSchedule & { s3: S3Target }, index: RemoteIndex, expire = false): Promise<string[] | null> {
  const client = await db.connect();
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [S3_LOCK]);
    if (!got.rows[0]!.ok) return null;
    try {
      const uploaded = await pushToS3(s.target, s.s3, index);
      if (expire) {
        const removed = await removeExpiredRemote(s.s3, s.keepDays);
        if (removed.length) log.info({ removed, target: describeS3(s.s3) }, 'base backups older than the kept window removed from the S3 target');
      }
      return uploaded;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [S3_LOCK]);
    }
  } finally {
    client.release();
  }
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
  // The S3 copy: every few seconds (the WAL's way out of the machine), the kept window hourly.
  let s3Running: Promise<unknown> = Promise.resolve();
  let s3Timer: NodeJS.Timeout | undefined;
  if (s.s3) {
    const withS3 = { ...s, s3: s.s3 };
    let index: RemoteIndex | undefined;
    let lastExpiry = 0;
    const s3tick = () => {
      s3Running = (async () => {
        index ??= await remoteIndex(withS3.s3);
        const expire = Date.now() - lastExpiry > 3_600_000;
        const up = await s3Tick(db, withS3, index, expire);
        if (up !== null && expire) lastExpiry = Date.now();
        if (up?.length) log.debug({ uploaded: up.length, target: describeS3(withS3.s3) }, 'backups copied to the S3 target');
      })().catch((err) => {
        index = undefined; // listed again next time: another process may have uploaded meanwhile
        log.error({ err, target: describeS3(withS3.s3) }, 'copying backups to the S3 target failed; will try again');
      });
    };
    s3Timer = setInterval(() => !stopped && void s3Running.then(s3tick), s.s3EveryMs ?? 5_000);
  }
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      if (s3Timer) clearInterval(s3Timer);
      await running;
      await s3Running;
    },
  };
}
