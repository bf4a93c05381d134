import { migrate } from '../../db/migrator';
import type { CommandHandler } from '../cli-context';

export const migrateCommand: CommandHandler = async (_args, ctx) => {
  const r = await migrate(ctx.db);
  ctx.out(r, r.applied.length ? `applied: ${r.applied.join(', ')}` : `up to date (${r.alreadyApplied} migrations)`);
};
