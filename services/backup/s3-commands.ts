import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../infra/embedded/common';
import { checkTraversable } from '../../infra/embedded/cluster-home';
import { resolveRunAs } from '../../infra/embedded/embedded-postgres';
import type { BackupTarget } from './backup-target';
import { chooseBase, restoreBackup, type RestoreResult, type RestoreTo } from './restore';
import { listRemote, getText, describeS3, type S3Target } from './s3-target';
import { pullFromS3, remoteBases, remoteWalSummary } from './s3-sync';
import type { RestorePoint } from './restore-points';
import { verifyBackups, type BackupCheck } from './verify-backups';

/** `backup list --s3`: what the bucket holds, read from its listing and the small backup.json files. */
export async function listS3(s3: S3Target): Promise<{ target: string; bases: Awaited<ReturnType<typeof remoteBases>>; wal: ReturnType<typeof remoteWalSummary>; restorePoints: RestorePoint[] }> {
  const objects = await listRemote(s3);
  const points = objects.some((o) => o.key === 'restore-points.jsonl')
    ? (await getText(s3, 'restore-points.jsonl')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as RestorePoint)
    : [];
  return { target: describeS3(s3), bases: await remoteBases(s3, objects), wal: remoteWalSummary(objects), restorePoints: points };
}

/** A local folder for what is fetched from the bucket: `cache`, or a fresh private one (removed by the caller). */
export function s3Cache(cache: string | undefined): { dir: string; temporary: boolean } {
  if (cache) return { dir: path.resolve(cache), temporary: false };
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-s3-'));
  return { dir: path.join(parent, 'backups'), temporary: true };
}

/** `backup verify --s3`: fetches every base backup and the WAL, then checks them as a folder's. */
export async function verifyS3(s3: S3Target, cacheDir: string): Promise<BackupCheck> {
  const probe = await remoteBases(s3);
  const target = await pullFromS3(s3, cacheDir, { bases: 'all', walFrom: probe[0]?.startWal ?? '0'.repeat(24) });
  return verifyBackups(target);
}

/**
 * `restore --from s3`: fetches the base backup the target needs and the WAL from its start, then
 * restores as from a folder. As root the server user must read the fetched WAL: the cache is
 * handed to it, and must lie where it can reach (`--cache` under a folder it may traverse).
 */
export async function restoreFromS3(s3: S3Target, cacheDir: string, req: { to: RestoreTo; into: string; force: boolean; log: (m: string) => void }): Promise<RestoreResult> {
  const meta = await pullFromS3(s3, cacheDir, { bases: 'none' });
  const base = chooseBase(meta, req.to);
  req.log(`fetching base backup ${base.id} and the WAL from ${base.startWal} from ${describeS3(s3)}`);
  const target: BackupTarget = await pullFromS3(s3, cacheDir, { bases: [base.id], walFrom: base.startWal });
  const runAs = await resolveRunAs(req.log);
  if (runAs) {
    const own = await run('chown', ['-R', `${runAs.uid}:${runAs.gid}`, target.root]);
    if (own.code !== 0) throw new Error(`handing ${target.root} to ${runAs.name} failed: ${own.output.trim()}`);
    await checkTraversable(target.walDir, runAs);
  }
  // The restored server does not archive into the cache: `make run` archives into the backup folder again.
  return restoreBackup({ target, to: req.to, into: req.into, force: req.force, log: req.log });
}
