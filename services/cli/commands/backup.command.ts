import { archiveCommand, restoreCommand } from '../../backup/archive-settings';
import { takeBaseBackup, listBaseBackups } from '../../backup/base-backup';
import { backupTarget, defaultBackupDir, resolveBackupDir, type BackupTarget } from '../../backup/backup-target';
import { listRestorePoints } from '../../backup/restore-points';
import { applyRetention } from '../../backup/retention';
import { verifyBackups } from '../../backup/verify-backups';
import { walSummary } from '../../backup/wal-archive';
import type { Config } from '../../config/config';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';
import { listS3, s3Cache, verifyS3 } from '../../backup/s3-commands';
import { pushToS3, removeExpiredRemote } from '../../backup/s3-sync';
import { describeS3, s3Option } from '../../backup/s3-target';
import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: lienthong backup now|list|verify|archive-command [--dir DIR] [--s3 [--cache DIR]]';

/** The backup folder: --dir, LIENTHONG_BACKUP_DIR, or the embedded set-up's `<data folder>-backups`. */
export function backupTargetFor(options: Record<string, string>, config: Pick<Config, 'LIENTHONG_BACKUP_DIR' | 'LIENTHONG_DATA_DIR'>): BackupTarget {
  const dir = options.dir ?? resolveBackupDir(config.LIENTHONG_BACKUP_DIR, config.LIENTHONG_DATA_DIR, true) ?? defaultBackupDir(config.LIENTHONG_DATA_DIR);
  if (config.LIENTHONG_BACKUP_DIR === 'off' && !options.dir) throw new CliUsageError('backups are off (LIENTHONG_BACKUP_DIR=off); name a folder with --dir');
  return backupTarget(dir);
}

/** lienthong backup now|list|verify: a base backup now, what is kept, and whether it can be restored. */
export const backupCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { dir: 'string', label: 'string', s3: 'boolean', cache: 'string' });
  const { s3 } = s3Option();
  if (options.s3 && !s3) throw new CliUsageError('--s3 needs LIENTHONG_BACKUP_S3_BUCKET (and the endpoint and credentials, see README § Backups and restore)');
  if (options.s3 && s3 && (sub === 'list' || sub === 'verify')) {
    // Read from the bucket: what a restore on a new machine would find there.
    if (sub === 'list') {
      const r = await listS3(s3);
      ctx.out(r, [
        `backups in ${r.target}`,
        ...r.bases.map((b) => `  base ${b.id}  finished ${b.finishedAt}  ${(b.bytes / 1048576).toFixed(1)} MB  timeline ${b.timeline}  (${b.label})`),
        r.bases.length ? `  restorable from ${r.bases[0]!.finishedAt} to the newest archived WAL` : '  no base backup yet',
        `  WAL: ${r.wal.segments} segments, ${(r.wal.bytes / 1048576).toFixed(1)} MB, newest ${r.wal.newest ?? '—'} uploaded ${r.wal.newestAt ?? '—'}`,
        ...r.restorePoints.map((p) => `  restore point ${p.name}  ${p.at}  (${p.reason})`),
      ].join('\n'));
      return 0;
    }
    const cache = s3Cache(options.cache);
    try {
      const r = await verifyS3(s3, cache.dir);
      ctx.out({ target: describeS3(s3), ...r }, [
        `backups in ${describeS3(s3)} (fetched into ${cache.dir})`,
        ...r.bases.map((b) => `  base ${b.id}: ${b.ok ? 'OK' : 'BROKEN'} — ${b.detail}`),
        `  WAL: ${r.wal.segments} segments, ${r.wal.gaps.length} gaps, ${r.wal.corrupt.length} unreadable`,
        ...r.problems.map((p) => `  problem: ${p}`),
        r.ok ? 'backups OK' : 'backups NOT restorable as they are',
      ].join('\n'));
      return r.ok ? 0 : 1;
    } finally {
      if (cache.temporary) fs.rmSync(path.dirname(cache.dir), { recursive: true, force: true });
    }
  }
  const target = backupTargetFor(options, ctx.config);
  if (sub === 'now') {
    const info = await takeBaseBackup(ctx.config.DATABASE_URL, target, options.label ?? 'lienthong-manual');
    const removed = await applyRetention(target, ctx.config.LIENTHONG_BACKUP_KEEP_DAYS);
    // With an S3 target: the new base backup and the WAL go to the bucket now, not at the next tick.
    const uploaded = s3 ? await pushToS3(target, s3) : [];
    const removedRemote = s3 ? await removeExpiredRemote(s3, ctx.config.LIENTHONG_BACKUP_KEEP_DAYS) : [];
    ctx.out({ ...info, removed: removed.map((b) => b.id), ...(s3 ? { s3: { target: describeS3(s3), uploaded: uploaded.length, removed: removedRemote } } : {}) },
      `base backup ${info.id} in ${target.baseDir}: ${(info.bytes / 1048576).toFixed(1)} MB in ${info.seconds} s` +
        (removed.length ? `; removed (older than ${ctx.config.LIENTHONG_BACKUP_KEEP_DAYS} days): ${removed.map((b) => b.id).join(', ')}` : '') +
        (s3 ? `; copied to ${describeS3(s3)} (${uploaded.length} objects)` : ''));
    return 0;
  }
  if (sub === 'list') {
    const bases = listBaseBackups(target);
    const wal = walSummary(target);
    const points = listRestorePoints(target);
    // The server's own account of archiving, when it is reachable: a failing archive_command shows here first.
    const archiver = await ctx.db
      .query<{ archived: number; failed: number; last_failed_wal: string | null; last_failed_time: Date | null; last_archived_time: Date | null }>(
        'SELECT archived_count::int AS archived, failed_count::int AS failed, last_failed_wal, last_failed_time, last_archived_time FROM pg_stat_archiver')
      .then((r) => r.rows[0] ?? null, () => null);
    const lines = [
      `backups in ${target.root}`,
      ...(archiver ? [`  server archiver: ${archiver.archived} archived, ${archiver.failed} failed${archiver.last_failed_wal ? ` (last failure ${archiver.last_failed_wal} at ${archiver.last_failed_time?.toISOString()})` : ''}`] : []),
      ...bases.map((b) => `  base ${b.id}  finished ${b.finishedAt}  ${(b.bytes / 1048576).toFixed(1)} MB  timeline ${b.timeline}  (${b.label})`),
      bases.length ? `  restorable from ${bases[0]!.finishedAt} to the newest archived WAL` : '  no base backup yet',
      `  WAL: ${wal.segments} segments, ${(wal.bytes / 1048576).toFixed(1)} MB, newest ${wal.newest ?? '—'} archived ${wal.newestAt ?? '—'}`,
      ...points.map((p) => `  restore point ${p.name}  ${p.at}  (${p.reason})`),
    ];
    ctx.out({ dir: target.root, bases, wal, restorePoints: points, archiver }, lines.join('\n'));
    return 0;
  }
  if (sub === 'verify') {
    const r = await verifyBackups(target);
    const lines = [
      ...r.bases.map((b) => `  base ${b.id}: ${b.ok ? 'OK' : 'BROKEN'} — ${b.detail}`),
      `  WAL: ${r.wal.segments} segments, ${r.wal.gaps.length} gaps, ${r.wal.corrupt.length} unreadable`,
      ...r.problems.map((p) => `  problem: ${p}`),
      r.ok ? 'backups OK' : 'backups NOT restorable as they are',
    ];
    ctx.out(r, lines.join('\n'));
    return r.ok ? 0 : 1;
  }
  if (sub === 'archive-command') {
    // For an external PostgreSQL: the lines its postgresql.conf needs (the folder must be the server's own, 0700).
    const lines = ["wal_level = replica", "archive_mode = on", "archive_timeout = '50s'", `archive_command = '${archiveCommand(target.walDir).replace(/'/g, "''")}'`];
    ctx.out({ settings: lines, restoreCommand: restoreCommand(target.walDir) }, lines.join('\n'));
    return 0;
  }
  throw new CliUsageError(USAGE);
};
