import fs from 'node:fs';
import { guardMigrations } from '../../backup/pre-migration';
import { backupTarget, defaultBackupDir, resolveBackupDir } from '../../backup/backup-target';
import { migrate } from '../../db/migrator';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

export const migrateCommand: CommandHandler = async (args, ctx) => {
  // No options of its own: an unknown option or a stray argument is refused (exit 2), not ignored.
  const { positionals } = parseArgs(args, {});
  if (positionals.length) throw new CliUsageError(`unexpected argument ${positionals[0]} (usage: lienthong migrate)`);
  // Before pending migrations: a restore point (and a base backup when none is recent), when a
  // backup folder is configured or the embedded set-up's exists.
  const dir = resolveBackupDir(ctx.config.LIENTHONG_BACKUP_DIR, ctx.config.LIENTHONG_DATA_DIR, fs.existsSync(defaultBackupDir(ctx.config.LIENTHONG_DATA_DIR)));
  const guard = await guardMigrations(ctx.db, { target: dir ? backupTarget(dir) : undefined, databaseUrl: ctx.config.DATABASE_URL, baseEveryMin: ctx.config.LIENTHONG_BACKUP_BASE_EVERY_MIN });
  if (guard && !ctx.json) console.log(`${guard.pending.length} migration(s) to apply; ${guard.point ? `restore point ${guard.point}` : 'no restore point'}${guard.baseBackup ? `, base backup ${guard.baseBackup}` : ''}\n${guard.howToGoBack}`);
  const r = await migrate(ctx.db);
  ctx.out({ ...r, guard }, r.applied.length ? `applied: ${r.applied.join(', ')}` : `up to date (${r.alreadyApplied} migrations)`);
};
