import fs from 'node:fs';
import type { Db } from '../db/pool';
import type { BackupTarget } from './backup-target';

export interface RestorePoint {
  name: string;
  at: string;
  lsn: string;
  reason: string;
}

/**
 * A named point in the WAL (pg_create_restore_point) that `lienthong restore --to point:NAME`
 * can stop at; the WAL segment is switched at once so the point is in the archive within seconds,
 * not after archive_timeout. Recorded in restore-points.jsonl with its time, to pick a base backup.
 */
export async function createRestorePoint(db: Db, target: BackupTarget, name: string, reason: string): Promise<RestorePoint> {
  if (!/^[A-Za-z0-9_.:-]{1,60}$/.test(name)) throw new Error(`a restore point name takes letters, digits and _ . : - (at most 60): ${name}`);
  const r = await db.query<{ lsn: string; at: Date }>('SELECT pg_create_restore_point($1)::text AS lsn, clock_timestamp() AS at', [name]);
  await db.query('SELECT pg_switch_wal()');
  const point: RestorePoint = { name, at: r.rows[0]!.at.toISOString(), lsn: r.rows[0]!.lsn, reason };
  fs.appendFileSync(target.pointsFile, JSON.stringify(point) + '\n', { mode: 0o600 });
  return point;
}

export function listRestorePoints(target: BackupTarget): RestorePoint[] {
  if (!fs.existsSync(target.pointsFile)) return [];
  return fs.readFileSync(target.pointsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RestorePoint);
}

/** Keeps the points at or after `since` (older ones have no base backup left to start from). */
export function pruneRestorePoints(target: BackupTarget, since: string): void {
  const kept = listRestorePoints(target).filter((p) => p.at >= since);
  if (fs.existsSync(target.pointsFile)) fs.writeFileSync(target.pointsFile, kept.map((p) => JSON.stringify(p) + '\n').join(''), { mode: 0o600 });
}

/** Waits until the server has archived the segment holding `lsn`'s predecessor switch (bounded). */
export async function waitArchived(db: Db, timeoutMs = 60_000): Promise<boolean> {
  const r = await db.query<{ wal: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS wal');
  const wanted = r.rows[0]!.wal;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const a = await db.query<{ last: string | null }>('SELECT last_archived_wal AS last FROM pg_stat_archiver');
    const last = a.rows[0]?.last;
    if (last && last.length === 24 && last.slice(8) >= wanted.slice(8)) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}
