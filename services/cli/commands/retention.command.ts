import { addHold, listHolds, removeHold, RetentionError } from '../../domain/retention/legal-holds';
import { approveDisposals, listDisposals, proposeDisposals, rejectDisposals } from '../../domain/retention/disposal';
import { listRetention, setRetention } from '../../domain/retention/retention-periods';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';

// Retention (issue 21): periods per document type, legal holds, disposal proposed → approved.

const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const operator = (by: string | undefined): string => by ?? `operator:${process.env.USER ?? 'cli'}`;

/** Domain refusals (not an administrator, nothing due…) are errors with a sentence, exit 1. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RetentionError || err instanceof RangeError) throw new Error(err.message);
    throw err;
  }
}

/** lienthong retention set --type CV (--years N | --permanent) [--note T] | retention list */
export const retentionCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { type: 'string', years: 'string', permanent: 'boolean', note: 'string', by: 'string' });
  if (sub === 'list') {
    const rows = await listRetention(ctx.db);
    ctx.out(rows, rows.length === 0
      ? 'no retention periods: no document is ever proposed for disposal (lienthong retention set --type CV --years 10)'
      : rows.map((r) => `${r.documentType.padEnd(6)} ${r.permanent ? 'vĩnh viễn (permanent)' : `${r.years} năm`}${r.note ? ` — ${r.note}` : ''} (${r.updatedBy}, ${r.updatedAt.toISOString()})`).join('\n'));
    return 0;
  }
  if (sub !== 'set') throw new CliUsageError('usage: lienthong retention set --type CV (--years N | --permanent) [--note T] | retention list');
  const type = required(options, 'type');
  if ((options.years === undefined) === (options.permanent === undefined)) throw new CliUsageError('give exactly one of --years N and --permanent');
  const period = options.permanent ? { permanent: true as const } : { years: Number(options.years) };
  const r = await guarded(() => setRetention(ctx.db, type, period, operator(options.by), options.note ?? null));
  ctx.out(r, `${r.documentType}: ${r.permanent ? 'kept permanently' : `kept ${r.years} years after the end of its year of issue`}`);
  return 0;
};

/** lienthong hold add --document ID --reason R | hold remove --document ID [--note N] | hold list [--all] */
export const holdCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { document: 'string', reason: 'string', note: 'string', by: 'string', all: 'boolean' });
  if (sub === 'list') {
    const rows = await listHolds(ctx.db, options.all === 'true');
    ctx.out(rows, rows.length === 0 ? 'no legal holds' : rows.map((h) => `${h.documentId} — ${h.reason} (${h.placedBy}, ${h.placedAt.toISOString()})${h.releasedAt ? ` released ${h.releasedAt.toISOString()}` : ''}`).join('\n'));
    return 0;
  }
  const documentId = required(options, 'document');
  if (!isUuid(documentId)) throw new CliUsageError('--document takes a document id (uuid)');
  if (sub === 'add') {
    const h = await guarded(() => addHold(ctx.db, documentId, required(options, 'reason'), operator(options.by)));
    ctx.out(h, `legal hold placed on ${documentId}: it will not be proposed for disposal until released`);
    return 0;
  }
  if (sub === 'remove') {
    const n = await removeHold(ctx.db, documentId, operator(options.by), options.note ?? null);
    ctx.out({ released: n }, n ? `${n} hold(s) released on ${documentId}` : `no standing hold on ${documentId}`);
    return n ? 0 : 1;
  }
  throw new CliUsageError('usage: lienthong hold add --document ID --reason R | hold remove --document ID [--note N] | hold list [--all]');
};

/**
 * lienthong disposal propose [--as-of YYYY-MM-DD] | disposal list [--batch B] [--status S]
 *   | disposal approve (--batch B | --id ID) --by ADMIN | disposal reject (--batch B | --id ID) --by ADMIN [--note N]
 */
export const disposalCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { 'as-of': 'string', batch: 'string', id: 'string', status: 'string', by: 'string', note: 'string' });
  const lines = (rows: Awaited<ReturnType<typeof listDisposals>>) =>
    rows.map((r) => `${r.batch} ${r.id} ${r.status.padEnd(9)} ${r.documentType} ${r.numberNotation} (${r.sender}, ${r.issuedOn}) — retained until ${r.retainUntil}`).join('\n');
  if (sub === 'propose') {
    const asOf = options['as-of'] ?? new Date().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new CliUsageError('--as-of takes YYYY-MM-DD');
    const { batch, rows } = await proposeDisposals(ctx.db, asOf, operator(options.by));
    ctx.out({ batch: rows.length ? batch : null, rows }, rows.length === 0
      ? 'nothing is due for disposal'
      : `${rows.length} document(s) proposed for disposal in batch ${batch} (nothing is removed until an administrator runs: lienthong disposal approve --batch ${batch} --by USERNAME)\n${lines(rows)}`);
    return 0;
  }
  if (sub === 'list') {
    const rows = await listDisposals(ctx.db, { ...(options.batch ? { batch: options.batch } : {}), ...(options.status ? { status: options.status } : {}) });
    ctx.out(rows, rows.length ? lines(rows) : 'no disposals');
    return 0;
  }
  if (sub === 'approve' || sub === 'reject') {
    if (!!options.batch === !!options.id) throw new CliUsageError('give exactly one of --batch B and --id ID');
    if (options.id && !isUuid(options.id)) throw new CliUsageError('--id takes a disposal id (uuid)');
    const which = options.batch ? { batch: options.batch } : { id: options.id! };
    const admin = required(options, 'by');
    if (sub === 'reject') {
      const n = await guarded(() => rejectDisposals(ctx.db, which, admin, options.note ?? null));
      ctx.out({ rejected: n }, `${n} proposed disposal(s) rejected; the documents are kept`);
      return 0;
    }
    const out = await guarded(() => approveDisposals(ctx.db, which, admin));
    ctx.out(out, out.map((o) => `${o.documentId}: ${o.outcome === 'disposed' ? `disposed (${o.files} file(s) removed, their SHA-256 kept; ledger row document_disposed)` : `NOT disposed: ${o.reason}`}`).join('\n'));
    return 0;
  }
  throw new CliUsageError('usage: lienthong disposal propose [--as-of YYYY-MM-DD] | disposal list [--batch B] [--status S] | disposal approve|reject (--batch B | --id ID) --by ADMIN');
};
