import { checkPlainPath } from './backup-target';

/**
 * WAL archiving for a server we configure (the embedded one): every finished WAL segment is
 * gzipped into `walDir` (a temporary name, fsync, then rename, so a crash never leaves a torn
 * segment under the real name). A segment already there with the same content counts as archived
 * (PostgreSQL may ask again after a crash); a different one fails, so nothing is overwritten.
 * archive_timeout switches segments at least that often while there are writes: the most an
 * unarchived tail can hold, i.e. the recovery point.
 */
export function archiveCommand(walDir: string): string {
  checkPlainPath(walDir);
  return `f=${walDir}/%f.gz; if [ -f "$f" ]; then gzip -dc "$f" | cmp -s - %p; ` +
    `else gzip -1 -c %p > "$f.tmp" && sync "$f.tmp" && mv "$f.tmp" "$f"; fi`;
}

/** What recovery runs to fetch a segment; a missing one fails, which ends the archive for PostgreSQL. */
export function restoreCommand(walDir: string): string {
  checkPlainPath(walDir);
  return `f=${walDir}/%f.gz; [ -f "$f" ] && gzip -dc "$f" > %p`;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** postgresql.conf settings (values quoted as there) that archive the server's WAL into walDir. */
export function archiveSettings(walDir: string, archiveTimeoutS: number): Record<string, string> {
  return {
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: q(archiveCommand(walDir)),
    archive_timeout: `${Math.max(1, archiveTimeoutS)}s`,
  };
}

/** Recovery settings for a restore; target undefined: replay everything archived (latest). */
export function recoverySettings(walDir: string, target: { time?: Date; point?: string }): Record<string, string> {
  const s: Record<string, string> = {
    restore_command: q(restoreCommand(walDir)),
    recovery_target_timeline: q('latest'),
    recovery_target_action: q('promote'),
  };
  if (target.time) {
    s.recovery_target_time = q(target.time.toISOString().replace('T', ' ').replace('Z', '+00'));
    s.recovery_target_inclusive = 'off';
  }
  if (target.point) s.recovery_target_name = q(target.point);
  return s;
}
