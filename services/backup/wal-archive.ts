import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../infra/embedded/common';
import type { BackupTarget } from './backup-target';
import { pgTool } from './pg-tools';

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\.gz$/;

export interface WalSummary {
  segments: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
  /** When the newest segment was archived: with steady writes, now − this is the archive lag. */
  newestAt: string | null;
  timelines: number[];
}

export function walSegments(target: BackupTarget): string[] {
  if (!fs.existsSync(target.walDir)) return [];
  return fs.readdirSync(target.walDir).filter((f) => SEGMENT.test(f)).map((f) => f.slice(0, -3)).sort();
}

export function walSummary(target: BackupTarget): WalSummary {
  const segs = walSegments(target);
  let bytes = 0;
  let newestMs = 0;
  for (const s of segs) {
    const st = fs.statSync(path.join(target.walDir, `${s}.gz`));
    bytes += st.size;
    newestMs = Math.max(newestMs, st.mtimeMs);
  }
  const timelines = [...new Set(segs.map((s) => parseInt(s.slice(0, 8), 16)))];
  return {
    segments: segs.length,
    bytes,
    oldest: segs[0] ?? null,
    newest: segs[segs.length - 1] ?? null,
    newestAt: newestMs ? new Date(newestMs).toISOString() : null,
    timelines,
  };
}

/** Position of a 16 MB segment within its timeline (log id × 256 + segment). */
function seq(name: string): number {
  return parseInt(name.slice(8, 16), 16) * 256 + parseInt(name.slice(16, 24), 16);
}

/**
 * Gaps in the archive from `from` on: per timeline, every segment between the first and the last
 * archived one must be there (a timeline starts where the one before branched off).
 */
export function walGaps(target: BackupTarget, from: string): string[] {
  const byTli = new Map<string, number[]>();
  for (const s of walSegments(target)) {
    if (s.slice(8) < from.slice(8)) continue;
    const list = byTli.get(s.slice(0, 8)) ?? [];
    list.push(seq(s));
    byTli.set(s.slice(0, 8), list);
  }
  const gaps: string[] = [];
  for (const [tli, list] of byTli) {
    list.sort((a, b) => a - b);
    for (let i = 1; i < list.length; i++) {
      if (list[i]! !== list[i - 1]! + 1) gaps.push(`timeline ${parseInt(tli, 16)}: after segment ${(list[i - 1]!).toString(16)} comes ${(list[i]!).toString(16)}`);
    }
  }
  return gaps;
}

/** Every archived segment from `from` on decompresses whole (gzip -t). */
export async function corruptSegments(target: BackupTarget, from: string): Promise<string[]> {
  const bad: string[] = [];
  for (const s of walSegments(target)) {
    if (s.slice(8) < from.slice(8)) continue;
    const res = await run('gzip', ['-t', path.join(target.walDir, `${s}.gz`)]);
    if (res.code !== 0) bad.push(s);
  }
  return bad;
}

/** Removes archived segments older than `oldestNeeded` (pg_archivecleanup; history files stay). */
export async function pruneWal(target: BackupTarget, oldestNeeded: string): Promise<void> {
  const res = await run(pgTool('pg_archivecleanup'), ['-x', '.gz', target.walDir, oldestNeeded]);
  if (res.code !== 0) throw new Error(`pg_archivecleanup failed: ${res.output.trim()}`);
}
