import fs from 'node:fs';
import path from 'node:path';
import { backupTarget, defaultBackupDir } from '../../backup/backup-target';
import { parseRestoreTo, putBackHba, restoreBackup } from '../../backup/restore';
import { projectRoot } from '../../config/project-root';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';
import { restoreFromS3, s3Cache } from '../../backup/s3-commands';
import { s3Option } from '../../backup/s3-target';

const USAGE = 'usage: lienthong restore --to latest|TIME|point:NAME --into DIR [--force] [--from BACKUP_DIR | --from s3 [--cache DIR]]';

/**
 * lienthong restore: works without the database (it may be the thing that was lost). The cluster
 * goes to DIR/data (the embedded layout: `--into .data/postgres` is what `make run` starts);
 * it is replayed to the target, promoted, then stopped cleanly, ready for the service.
 */
export const restoreCommand: CommandHandler = async (args, ctx) => {
  const { options } = parseArgs(args, { to: 'string', into: 'string', from: 'string', force: 'boolean', cache: 'string' });
  if (options.help) throw new CliUsageError(USAGE);
  const to = parseRestoreTo(required(options, 'to'));
  const into = path.resolve(required(options, 'into'));
  if (options.from === 's3') {
    // From the S3-compatible target (LIENTHONG_BACKUP_S3_*): fetched into --cache (or a temporary folder) first.
    const { s3 } = s3Option();
    if (!s3) throw new CliUsageError('--from s3 needs LIENTHONG_BACKUP_S3_BUCKET (and the endpoint and credentials, see README § Backups and restore)');
    const cache = s3Cache(options.cache);
    if (cache.temporary) fs.chmodSync(path.dirname(cache.dir), 0o755); // the server user reads the fetched WAL
    const notes: string[] = [];
    try {
      const r = await restoreFromS3(s3, cache.dir, { to, into, force: options.force === 'true', log: (m) => notes.push(m) });
      await r.server.stop();
      putBackHba(r);
      ctx.out({ into, from: 's3', base: r.base.id, recoveredTo: r.recoveredTo, movedAside: r.movedAside, seconds: r.seconds }, [
        `restored into ${path.join(into, 'data')} from base backup ${r.base.id} (S3) in ${r.seconds} s`,
        `last transaction replayed: ${r.recoveredTo ?? '(none after the base backup)'}`,
        ...(r.movedAside ? [`the previous data is kept in ${r.movedAside}`] : []),
        'next: start the service on this folder (it archives into the backup folder again), take `lienthong backup now`, and check: lienthong ledger verify',
      ].join('\n'));
      return 0;
    } finally {
      if (cache.temporary) fs.rmSync(path.dirname(cache.dir), { recursive: true, force: true });
    }
  }
  const dataDir = path.resolve(process.env.LIENTHONG_DATA_DIR ?? path.join(projectRoot(), '.data'));
  const configured = process.env.LIENTHONG_BACKUP_DIR;
  const from = options.from ?? (configured && configured !== 'off' ? configured : defaultBackupDir(dataDir));
  const target = backupTarget(from);
  if (!fs.existsSync(target.baseDir)) throw new CliUsageError(`no backups in ${target.root} (name the folder with --from)`);
  const archiveTimeoutS = Number(process.env.LIENTHONG_BACKUP_ARCHIVE_TIMEOUT_S ?? 50);
  const notes: string[] = [];
  const r = await restoreBackup({ target, to, into, force: options.force === 'true', archiveTimeoutS, log: (m) => notes.push(m) });
  await r.server.stop();
  putBackHba(r);
  const result = { into, base: r.base.id, recoveredTo: r.recoveredTo, movedAside: r.movedAside, seconds: r.seconds };
  ctx.out(result, [
    `restored into ${path.join(into, 'data')} from base backup ${r.base.id} in ${r.seconds} s`,
    `last transaction replayed: ${r.recoveredTo ?? '(none after the base backup)'}`,
    ...(r.movedAside ? [`the previous data is kept in ${r.movedAside}`] : []),
    'next: start with an empty Redis queue set (the sweeper rebuilds the queues from PostgreSQL), start the service on this folder,',
    'and check it: lienthong ledger verify',
  ].join('\n'));
  return 0;
};
