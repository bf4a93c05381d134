import fs from 'node:fs';
import path from 'node:path';
import { listBaseBackups, type BaseBackupInfo } from './base-backup';
import type { BackupTarget } from './backup-target';
import { pruneRestorePoints } from './restore-points';
import { pruneWal } from './wal-archive';

/**
 * Keeps `keepDays` of restorable history: every base backup that finished inside the window, plus
 * the newest one before it (a restore to the window's first minute starts from that one), and the
 * WAL from the oldest kept base backup on. Returns the removed base backups.
 */
export async function applyRetention(target: BackupTarget, keepDays: number, now = new Date()): Promise<BaseBackupInfo[]> {
  const bases = listBaseBackups(target);
  if (bases.length === 0) return [];
  const windowStart = new Date(now.getTime() - keepDays * 86_400_000).toISOString();
  const before = bases.filter((b) => b.finishedAt < windowStart);
  const keep = new Set(bases.filter((b) => b.finishedAt >= windowStart).map((b) => b.id));
  const anchor = before[before.length - 1];
  if (anchor) keep.add(anchor.id);
  const removed = bases.filter((b) => !keep.has(b.id));
  for (const b of removed) fs.rmSync(path.join(target.baseDir, b.id), { recursive: true, force: true });
  const oldest = bases.find((b) => keep.has(b.id))!;
  await pruneWal(target, oldest.startWal);
  pruneRestorePoints(target, oldest.finishedAt);
  return removed;
}
