import { verifyLedger } from '../../domain/ledger/ledger-verify';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

/** lienthong ledger verify [--batch N]: exit 0 when the chain is sound, 1 naming the first bad row. */
export const ledgerCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { batch: 'string' });
  if (sub !== 'verify') throw new CliUsageError('usage: lienthong ledger verify [--batch N]');
  const batchSize = options.batch ? Number(options.batch) : undefined;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw new CliUsageError('--batch takes a positive integer');
  const r = await verifyLedger(ctx.db, batchSize ? { batchSize } : {});
  ctx.out(
    r,
    r.ok
      ? `ledger OK: ${r.rows} rows, hash chain intact${r.lastId ? ` (head: row ${r.lastId}, ${r.lastHash})` : ''}`
      : `ledger BROKEN at row ${r.firstBadId}: ${r.reason} (${r.rows} rows before it are sound)`,
  );
  return r.ok ? 0 : 1;
};
