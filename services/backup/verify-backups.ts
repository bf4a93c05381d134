import { run } from '../../infra/embedded/common';
import { baseBackupData, listBaseBackups } from './base-backup';
import type { BackupTarget } from './backup-target';
import { pgTool } from './pg-tools';
import { corruptSegments, walGaps, walSegments } from './wal-archive';

export interface BackupCheck {
  ok: boolean;
  bases: { id: string; ok: boolean; detail: string }[];
  wal: { segments: number; gaps: string[]; corrupt: string[]; missingStart: string[] };
  problems: string[];
}

/**
 * Checks what a restore will read: every base backup against its manifest (pg_verifybackup:
 * every file's size and checksum, and the WAL it carries), the archived WAL from the oldest base
 * backup on without a gap, each segment decompressing whole, and each base's first segment there.
 */
export async function verifyBackups(target: BackupTarget): Promise<BackupCheck> {
  const bases = listBaseBackups(target);
  const problems: string[] = [];
  const out: BackupCheck['bases'] = [];
  for (const b of bases) {
    const res = await run(pgTool('pg_verifybackup', b.pgVersion), ['-q', baseBackupData(target, b.id)]);
    const ok = res.code === 0;
    out.push({ id: b.id, ok, detail: ok ? 'manifest and WAL verified' : res.output.trim() });
    if (!ok) problems.push(`base backup ${b.id}: ${res.output.trim()}`);
  }
  if (bases.length === 0) problems.push('no base backup: run `lienthong backup now`');
  const from = bases[0]?.startWal ?? '0'.repeat(24);
  const segs = new Set(walSegments(target));
  // A base backup carries the WAL it needs for consistency (-X stream); the archive must go on
  // from its start segment for any later point to be reachable.
  const missingStart = bases.filter((b) => ![...segs].some((s) => s.slice(8) >= b.startWal.slice(8))).map((b) => b.id);
  const gaps = walGaps(target, from);
  const corrupt = await corruptSegments(target, from);
  for (const g of gaps) problems.push(`WAL archive gap: ${g}`);
  for (const c of corrupt) problems.push(`WAL segment ${c} does not decompress`);
  for (const m of missingStart) problems.push(`no archived WAL after base backup ${m} yet (archiving off, or failing?)`);
  return { ok: problems.length === 0, bases: out, wal: { segments: segs.size, gaps, corrupt, missingStart }, problems };
}
