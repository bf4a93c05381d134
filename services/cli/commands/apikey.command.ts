import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '../../domain/apikeys/api-key.repository';
import { findAgency } from '../../domain/agencies/agency.repository';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';

/** lienthong apikey create --agency C [--scope monitor] | apikey revoke ID | apikey list */
export const apikeyCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, { agency: 'string', label: 'string', scope: 'string' });
  switch (sub) {
    case 'create': {
      const agency = required(options, 'agency');
      if (!(await findAgency(ctx.db, agency))) throw new CliUsageError(`no agency ${agency} in the directory`);
      const scopes = options.scope && options.scope !== 'true' ? options.scope.split(',') : [];
      const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
      if (unknown.length) throw new CliUsageError(`unknown scope(s) ${unknown.join(', ')}; known: ${API_KEY_SCOPES.join(', ')}`);
      const k = await createApiKey(ctx.db, agency, options.label ?? null, scopes);
      ctx.out({ id: k.id, agency, scopes, key: k.key }, `key ${k.id} for ${agency}${scopes.length ? ` [${scopes.join(',')}]` : ''} (shown once, store it now):\n${k.key}`);
      return;
    }
    case 'revoke': {
      const id = positionals[0];
      if (!id) throw new CliUsageError('usage: lienthong apikey revoke ID');
      const ok = await revokeApiKey(ctx.db, id);
      ctx.out({ id, revoked: ok }, ok ? `key ${id} revoked` : `no active key ${id}`);
      return ok ? 0 : 1;
    }
    case 'list': {
      const keys = await listApiKeys(ctx.db);
      ctx.out(keys, keys.map((k) => `${k.id} ${k.agencyCode.padEnd(16)} ${k.revokedAt ? 'revoked' : 'active '} ${k.label ?? ''}`).join('\n'));
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong apikey create|revoke|list');
  }
};
