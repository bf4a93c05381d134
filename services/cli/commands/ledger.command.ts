import { anchorTsa } from '../../domain/ledger/anchor-tsa';
import { anchorChains } from '../../domain/ledger/ledger-anchor';
import { verifyAnchors } from '../../domain/ledger/ledger-anchor-verify';
import { verifyLedger } from '../../domain/ledger/ledger-verify';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

const USAGE = 'usage: lienthong ledger verify [--batch N] [--parallel N] | ledger anchor [--chain C] [--tsa URL]';

/**
 * lienthong ledger verify [--batch N] [--parallel N]: every chain checked in slices of N ids (default
 * 100,000), --parallel slices at a time (default 2), in the database (migration 0084); exit 0 when the chain is sound and every anchor holds, 1
 * naming the first bad row or anchor. lienthong ledger anchor: timestamps every chain's head now.
 */
export const ledgerCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  if (sub === 'anchor') return anchor(rest, ctx);
  const { options } = parseArgs(rest, { batch: 'string', parallel: 'string' });
  if (sub !== 'verify') throw new CliUsageError(USAGE);
  const positive = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0)) throw new CliUsageError(`--${name} takes a positive integer`);
    return n;
  };
  const batchSize = positive('batch', options.batch as string | undefined);
  const parallel = positive('parallel', options.parallel as string | undefined);
  const r = await verifyLedger(ctx.db, { ...(batchSize ? { batchSize } : {}), ...(parallel ? { parallel } : {}) });
  const a = r.ok ? await verifyAnchors(ctx.db) : undefined;
  const ok = r.ok && a?.ok === true;
  const lines = [
    r.ok
      ? `ledger OK: ${r.rows} rows, hash chain intact${r.lastId ? ` (head: row ${r.lastId}, ${r.lastHash})` : ''}`
      : `ledger BROKEN at row ${r.firstBadId}: ${r.reason} (${r.rows} rows before it are sound)`,
  ];
  if (a?.ok) lines.push(`anchors OK: ${a.anchors} RFC 3161 timestamps checked${a.newest ? ` (newest: chain ${a.newest.chain}, row ${a.newest.rowId}, ${a.newest.genTime})` : ''}`);
  if (a && !a.ok) lines.push(`anchor ${a.badAnchorId} BROKEN: ${a.reason} (${a.anchors} anchors before it hold)`);
  ctx.out({ ...r, ok, anchors: a ?? null }, lines.join('\n'));
  return ok ? 0 : 1;
};

async function anchor(args: string[], ctx: Parameters<CommandHandler>[1]): Promise<number> {
  const { options } = parseArgs(args, { chain: 'string', tsa: 'string' });
  const source = await anchorTsa(ctx.db, ctx.config, options.tsa);
  if (!source) throw new Error('no timestamp authority: set LIENTHONG_TSA_URL or pass --tsa URL');
  try {
    const written = await anchorChains(ctx.db, source.tsa, 'on-demand', options.chain ? [options.chain] : undefined);
    ctx.out(
      { anchored: written.map((w) => ({ chain: w.chain, rowId: w.rowId, rowHash: w.rowHash, genTime: w.genTime.toISOString() })) },
      written.length === 0
        ? 'every chain head is already anchored'
        : written.map((w) => `anchored chain ${w.chain} at row ${w.rowId} (${w.rowHash}) — ${w.genTime.toISOString()}`).join('\n'),
    );
    return 0;
  } finally {
    source.close();
  }
}
