import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../infra/embedded/common';
import { baseBackupData, listBaseBackups, type BaseBackupInfo } from './base-backup';
import { backupTarget, ensurePrivateTarget, type BackupTarget } from './backup-target';
import { getFile, getText, listRemote, putFile, putText, removeRemote, type RemoteObject, type S3Target } from './s3-target';

const SEGMENT = /^[0-9A-F]{24}\.gz$/;

/** Remote keys already there (from one listing, then kept up to date by pushToS3). */
export type RemoteIndex = Set<string>;

export async function remoteIndex(s3: S3Target): Promise<RemoteIndex> {
  return new Set((await listRemote(s3)).map((o) => o.key));
}

/**
 * Copies what the backup folder has and the bucket has not: each complete base backup (a
 * pgdata.tar.gz packed from the folder, then its backup.json), each archived WAL file and the
 * restore points. Never deletes in the bucket (an emptied folder must not empty the bucket:
 * removeExpiredRemote applies the kept window there). Returns the keys uploaded.
 */
export async function pushToS3(target: BackupTarget, s3: S3Target, index?: RemoteIndex): Promise<string[]> {
  const have = index ?? (await remoteIndex(s3));
  const uploaded: string[] = [];
  for (const b of listBaseBackups(target)) {
    if (have.has(`base/${b.id}/backup.json`)) continue;
    const tar = path.join(target.baseDir, `${b.id}.s3.tar.gz`);
    try {
      const packed = await run('tar', ['-C', baseBackupData(target, b.id), '-czf', tar, '.']);
      if (packed.code !== 0) throw new Error(`packing base backup ${b.id} failed: ${packed.output.trim()}`);
      await putFile(s3, `base/${b.id}/pgdata.tar.gz`, tar);
    } finally {
      fs.rmSync(tar, { force: true });
    }
    await putFile(s3, `base/${b.id}/backup.json`, path.join(target.baseDir, b.id, 'backup.json'));
    for (const k of [`base/${b.id}/pgdata.tar.gz`, `base/${b.id}/backup.json`]) {
      have.add(k);
      uploaded.push(k);
    }
  }
  const wal = fs.existsSync(target.walDir) ? fs.readdirSync(target.walDir).filter((f) => f.endsWith('.gz')).sort() : [];
  for (const f of wal) {
    const key = `wal/${f}`;
    if (have.has(key)) continue;
    await putFile(s3, key, path.join(target.walDir, f));
    have.add(key);
    uploaded.push(key);
  }
  if (fs.existsSync(target.pointsFile)) {
    const text = fs.readFileSync(target.pointsFile, 'utf8');
    const key = `restore-points.jsonl#${text.length}`; // re-sent when it changed (it only grows, or shrinks by retention)
    if (!have.has(key)) {
      await putText(s3, 'restore-points.jsonl', text);
      for (const k of [...have]) if (k.startsWith('restore-points.jsonl#')) have.delete(k);
      have.add(key);
      uploaded.push('restore-points.jsonl');
    }
  }
  return uploaded;
}

/** The base backups recorded in the bucket (their backup.json), oldest first. */
export async function remoteBases(s3: S3Target, objects?: RemoteObject[]): Promise<BaseBackupInfo[]> {
  const all = objects ?? (await listRemote(s3, 'base/'));
  const out: BaseBackupInfo[] = [];
  for (const o of all.filter((x) => /^base\/[^/]+\/backup\.json$/.test(x.key))) out.push(JSON.parse(await getText(s3, o.key)) as BaseBackupInfo);
  return out.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/**
 * The kept window in the bucket, by the rule of the folder's (retention.ts): base backups that
 * finished inside it plus the newest one before it, and the WAL segments from the oldest kept
 * one's start on (history files stay). Returns the removed base backup ids.
 */
export async function removeExpiredRemote(s3: S3Target, keepDays: number, now = new Date()): Promise<string[]> {
  const objects = await listRemote(s3);
  const bases = await remoteBases(s3, objects);
  if (bases.length === 0) return [];
  const windowStart = new Date(now.getTime() - keepDays * 86_400_000).toISOString();
  const keep = new Set(bases.filter((b) => b.finishedAt >= windowStart).map((b) => b.id));
  const anchor = bases.filter((b) => b.finishedAt < windowStart).at(-1);
  if (anchor) keep.add(anchor.id);
  const removed = bases.filter((b) => !keep.has(b.id)).map((b) => b.id);
  const oldest = bases.find((b) => keep.has(b.id))!;
  const doomed = objects
    .map((o) => o.key)
    .filter((k) => {
      const base = /^base\/([^/]+)\//.exec(k)?.[1];
      if (base) return removed.includes(base);
      const seg = /^wal\/([0-9A-F]{24})\.gz$/.exec(k)?.[1];
      return seg !== undefined && seg.slice(8) < oldest.startWal.slice(8);
    })
    // backup.json last: a half-removed base is never taken for a complete one
    .sort((a, b) => Number(a.endsWith('backup.json')) - Number(b.endsWith('backup.json')));
  await removeRemote(s3, doomed);
  return removed;
}

export interface PullRequest {
  /** Which base backups to fetch with their data: none (metadata only), all, or the ids given. */
  bases: 'none' | 'all' | string[];
  /** Fetch the WAL files (segments from this one on, and every history file); undefined: none. */
  walFrom?: string;
}

/**
 * Brings the bucket's copy into a local folder with the backup folder's layout, so list, verify
 * and restore read it as they read a folder. What is already there is not fetched again.
 */
export async function pullFromS3(s3: S3Target, localRoot: string, req: PullRequest): Promise<BackupTarget> {
  const target = backupTarget(localRoot);
  ensurePrivateTarget(target);
  const objects = await listRemote(s3);
  for (const info of await remoteBases(s3, objects)) {
    const dir = path.join(target.baseDir, info.id);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'backup.json'), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
    const wanted = req.bases === 'all' || (Array.isArray(req.bases) && req.bases.includes(info.id));
    const pgdata = baseBackupData(target, info.id);
    if (!wanted || fs.existsSync(path.join(pgdata, 'PG_VERSION'))) continue;
    const tar = path.join(target.baseDir, `${info.id}.s3.tar.gz`);
    try {
      await getFile(s3, `base/${info.id}/pgdata.tar.gz`, tar);
      fs.rmSync(pgdata, { recursive: true, force: true });
      fs.mkdirSync(pgdata, { mode: 0o700 });
      const unpacked = await run('tar', ['-C', pgdata, '-xzf', tar]);
      if (unpacked.code !== 0) throw new Error(`unpacking base backup ${info.id} failed: ${unpacked.output.trim()}`);
    } finally {
      fs.rmSync(tar, { force: true });
    }
  }
  if (req.walFrom !== undefined) {
    const from = req.walFrom.slice(8);
    for (const o of objects.filter((x) => x.key.startsWith('wal/'))) {
      const name = o.key.slice(4);
      const local = path.join(target.walDir, name);
      if (fs.existsSync(local)) continue;
      if (SEGMENT.test(name) && name.slice(8, 24) < from) continue;
      await getFile(s3, o.key, local);
    }
  }
  if (objects.some((o) => o.key === 'restore-points.jsonl')) fs.writeFileSync(target.pointsFile, await getText(s3, 'restore-points.jsonl'), { mode: 0o600 });
  return target;
}

/** The archived WAL as the bucket lists it (for `backup list` without fetching it). */
export function remoteWalSummary(objects: RemoteObject[]): { segments: number; bytes: number; oldest: string | null; newest: string | null; newestAt: string | null } {
  const segs = objects.filter((o) => /^wal\/[0-9A-F]{24}\.gz$/.test(o.key)).sort((a, b) => a.key.localeCompare(b.key));
  const newestAt = segs.reduce((m, o) => Math.max(m, o.lastModified.getTime()), 0);
  return {
    segments: segs.length,
    bytes: segs.reduce((n, o) => n + o.size, 0),
    oldest: segs[0]?.key.slice(4, 28) ?? null,
    newest: segs.at(-1)?.key.slice(4, 28) ?? null,
    newestAt: newestAt ? new Date(newestAt).toISOString() : null,
  };
}
