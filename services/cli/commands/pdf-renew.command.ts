import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';
import { renewalContext } from '../../domain/documents/renewal-scheduler';
import { documentsDueForRenewal, renewDocument, type RenewalResult } from '../../domain/documents/signature-renewal';
import { startDevTsa } from '../../domain/pki/dev-tsa';

export const RENEW_USAGE =
  'usage: lienthong pdf renew --document ID | --all-before YYYY-MM-DD [--reason TEXT] [--limit N]   ' +
  '(a new document timestamp with validation data for the previous one; --all-before: every document whose newest timestamp\'s TSA certificate expires before the date)';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function line(r: RenewalResult): string {
  if (!r.renewed) return `${r.documentId}: NOT renewed — ${r.skipped}`;
  const gap = r.missing?.length ? `; WARNING no revocation data for ${r.missing.join(' | ')}` : '';
  return `${r.documentId}: renewed — new timestamp ${r.timestampTime?.toISOString() ?? '?'}, its TSA certificate valid until ${r.timestampExpiresAt?.toISOString() ?? '?'} ` +
    `(was until ${r.previousExpiresAt?.toISOString() ?? '?'}); signed PDF ${r.previousSha256?.slice(0, 12)}… → ${r.renewedSha256?.slice(0, 12)}…${gap}`;
}

/**
 * lienthong pdf renew: on demand (an algorithm declared weak, a TSA certificate compromised, an
 * audit) — the same renewal the worker schedules. Uses LIENTHONG_TSA_URL; in dev mode without it,
 * a development TSA is started for the command.
 */
export const pdfRenewCommand: CommandHandler = async (args, ctx) => {
  const { positionals, options } = parseArgs(args, { document: 'string', 'all-before': 'string', reason: 'string', limit: 'string' });
  if (positionals.length > 0 || !!options.document === !!options['all-before']) throw new CliUsageError(RENEW_USAGE);
  if (options.document && !UUID.test(options.document)) throw new CliUsageError(`--document takes a document id (UUID), got ${options.document}`);
  const before = options['all-before'] ? new Date(`${options['all-before']}T00:00:00Z`) : null;
  if (before && (!/^\d{4}-\d{2}-\d{2}$/.test(options['all-before']!) || Number.isNaN(before.getTime()))) throw new CliUsageError('--all-before takes a date YYYY-MM-DD');
  const limit = Number(options.limit ?? 1000);
  if (!Number.isInteger(limit) || limit < 1) throw new CliUsageError('--limit takes a positive integer');
  const reason = (options.reason ?? 'on demand').trim().slice(0, 500) || 'on demand';

  const devTsa = !ctx.config.LIENTHONG_TSA_URL && ctx.config.LIENTHONG_DEV_MODE ? await startDevTsa(ctx.db, ctx.config.masterKey, true) : undefined;
  try {
    const ltv = renewalContext(ctx.db, ctx.config, devTsa ? { url: devTsa.url, timeoutMs: ctx.config.LIENTHONG_TSA_TIMEOUT_MS } : undefined);
    if (!ltv) throw new CliUsageError('renewal needs a timestamp authority: set LIENTHONG_TSA_URL');
    const ids = options.document ? [options.document] : await documentsDueForRenewal(ctx.db, before!, limit);
    const results: RenewalResult[] = [];
    const failures: { documentId: string; error: string }[] = [];
    for (const id of ids) {
      try {
        results.push(await renewDocument(ctx.db, id, ltv, { reason }));
      } catch (err) {
        failures.push({ documentId: id, error: (err as Error).message });
      }
    }
    const human = [
      ...results.map(line),
      ...failures.map((f) => `${f.documentId}: FAILED — ${f.error}`),
      `${results.filter((r) => r.renewed).length} renewed, ${results.filter((r) => !r.renewed).length} skipped, ${failures.length} failed (reason: ${reason})`,
    ].join('\n');
    ctx.out({ reason, renewed: results.filter((r) => r.renewed), skipped: results.filter((r) => !r.renewed), failures }, human);
    return failures.length > 0 || results.some((r) => !r.renewed) ? 1 : 0;
  } finally {
    devTsa?.server.close();
  }
};
