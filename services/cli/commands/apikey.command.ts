import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, createApiKey, isApiKeyScope, listApiKeys, revokeApiKey } from '../../domain/apikeys/api-key.repository';
import { findAgency } from '../../domain/agencies/agency.repository';
import { recordAudit } from '../../domain/audit/audit-log';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';

/** `--expires 2027-06-30` (end of that day, Vietnam time) or `--expires-days N`. */
function expiryOf(options: Record<string, string>): Date | null {
  if (options.expires && options.expires !== 'true') {
    const at = /^\d{4}-\d{2}-\d{2}$/.test(options.expires) ? new Date(`${options.expires}T23:59:59+07:00`) : new Date(NaN);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) throw new CliUsageError('--expires must be a future date YYYY-MM-DD');
    return at;
  }
  if (options['expires-days'] && options['expires-days'] !== 'true') {
    const days = Number(options['expires-days']);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CliUsageError('--expires-days must be a whole number of days, 1–3650');
    return new Date(Date.now() + days * 86_400_000);
  }
  return null;
}

/** lienthong apikey create --agency C [--scope send,read,status,monitor] [--expires DATE|--expires-days N] | apikey revoke ID | apikey list */
export const apikeyCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, { agency: 'string', label: 'string', scope: 'string' });
  switch (sub) {
    case 'create': {
      const agency = required(options, 'agency');
      if (!(await findAgency(ctx.db, agency))) throw new CliUsageError(`no agency ${agency} in the directory`);
      const scopes = options.scope && options.scope !== 'true' ? [...new Set(options.scope.split(',').map((s) => s.trim()))] : [...DEFAULT_API_KEY_SCOPES];
      const unknown = scopes.filter((s) => !isApiKeyScope(s));
      if (unknown.length || scopes.length === 0) throw new CliUsageError(`unknown scope(s) ${unknown.join(', ')}; known: ${API_KEY_SCOPES.join(', ')}`);
      const expiresAt = expiryOf(options);
      const k = await createApiKey(ctx.db, agency, options.label ?? null, scopes, expiresAt);
      await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'apikey.create', agency, detail: { id: k.id, scopes, expiresAt } });
      ctx.out(
        { id: k.id, agency, scopes, expiresAt, key: k.key },
        `key ${k.id} for ${agency} [${scopes.join(',')}]${expiresAt ? ` until ${expiresAt.toISOString()}` : ''} (shown once, store it now):\n${k.key}`,
      );
      return;
    }
    case 'revoke': {
      const id = positionals[0];
      if (!id) throw new CliUsageError('usage: lienthong apikey revoke ID');
      const agency = (await listApiKeys(ctx.db)).find((k) => k.id === id)?.agencyCode ?? null;
      const ok = agency !== null && (await revokeApiKey(ctx.db, id));
      if (ok) await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'apikey.revoke', agency, detail: { id } });
      ctx.out({ id, revoked: ok }, ok ? `key ${id} revoked` : `no active key ${id}`);
      return ok ? 0 : 1;
    }
    case 'list': {
      const keys = await listApiKeys(ctx.db);
      ctx.out(
        keys,
        keys
          .map((k) => `${k.id} ${k.agencyCode.padEnd(16)} ${k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= Date.now() ? 'expired' : 'active '} [${k.scopes.join(',')}] ${k.label ?? ''}`)
          .join('\n'),
      );
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong apikey create|revoke|list');
  }
};
