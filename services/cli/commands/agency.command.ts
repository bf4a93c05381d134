import fs from 'node:fs';
import { AGENCY_CODE_PATTERN, type Channel } from '../../../contracts';
import { addGroupMember, listAgencies, upsertAgency, upsertGroup } from '../../domain/agencies/agency.repository';
import { sealSecret } from '../../pki/key-envelope';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';
import { agencyUpdate, checkPushEndpoint, flagOption } from './agency-endpoint';
import { recordAudit } from '../../domain/audit/audit-log';
import { bindClientCertificate, readSecret } from './agency-security';

const CHANNELS = ['hosted', 'push', 'paper'];

function checkAgency(code: string, channel: string, endpoint: string | undefined): void {
  if (!AGENCY_CODE_PATTERN.test(code)) throw new CliUsageError(`agency code ${code} must match ^[0-9A-Z.]{1,35}$`);
  if (!CHANNELS.includes(channel)) throw new CliUsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  if (channel === 'push' && !endpoint) throw new CliUsageError('a push agency needs --endpoint URL');
}

/** lienthong agency add|update|import|list */
export const agencyCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, {
    code: 'string', name: 'string', parent: 'string', level: 'string', channel: 'string', endpoint: 'string', format: 'string',
    secret: 'flag', 'secret-env': 'string', 'allow-private-endpoint': 'flag', 'push-receipt': 'flag',
    fingerprint: 'string', subject: 'string', clear: 'boolean',
  });
  switch (sub) {
    case 'add': {
      const code = required(options, 'code');
      const channel = options.channel ?? 'hosted';
      checkAgency(code, channel, options.endpoint);
      const allowPrivateEndpoint = flagOption(options, 'allow-private-endpoint') ?? false;
      const warning = options.endpoint ? await checkPushEndpoint(options.endpoint, ctx.config.LIENTHONG_DEV_MODE, allowPrivateEndpoint) : undefined;
      const secret = readSecret(options);
      await upsertAgency(ctx.db, {
        code,
        name: required(options, 'name'),
        parentCode: options.parent ?? null,
        level: options.level ? Number(options.level) : 1,
        channel: channel as Channel,
        endpointUrl: options.endpoint ?? null,
        pushFormat: options.format === 'json' ? 'json' : 'edxml',
        allowPrivateEndpoint,
        pushReceipt: flagOption(options, 'push-receipt') ?? false,
      });
      if (secret) {
        await ctx.db.query(`UPDATE agencies SET webhook_secret_enc = $2 WHERE code = $1`, [code, sealSecret(secret, ctx.config.masterKey, 'webhook-secret')]);
      }
      await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'agency.add', agency: code, detail: { channel, endpoint: options.endpoint ?? null, secretSet: Boolean(secret) } });
      ctx.out({ code, ...(warning ? { warning } : {}) }, [`agency ${code} saved`, ...(warning ? [warning] : [])].join('\n'));
      return;
    }
    case 'update':
      return agencyUpdate(options, ctx);
    case 'import': {
      const file = positionals[0];
      if (!file) throw new CliUsageError('usage: lienthong agency import FILE.csv');
      const rows = parseCsv(fs.readFileSync(file, 'utf8'));
      const header = rows.shift() ?? [];
      const col = (name: string) => header.indexOf(name);
      if (col('code') < 0 || col('name') < 0) throw new CliUsageError('the CSV needs at least the columns code,name (optional: parent,level,channel,endpoint,groups)');
      let n = 0;
      for (const r of rows) {
        const get = (name: string) => (col(name) >= 0 ? r[col(name)]?.trim() || undefined : undefined);
        const code = get('code')!;
        const channel = get('channel') ?? 'hosted';
        checkAgency(code, channel, get('endpoint'));
        if (get('endpoint')) await checkPushEndpoint(get('endpoint')!, ctx.config.LIENTHONG_DEV_MODE, false);
        await upsertAgency(ctx.db, {
          code,
          name: get('name')!,
          parentCode: get('parent') ?? null,
          level: Number(get('level') ?? 1),
          channel: channel as Channel,
          endpointUrl: get('endpoint') ?? null,
        });
        for (const g of (get('groups') ?? '').split(/[;|]/).filter(Boolean)) {
          await upsertGroup(ctx.db, g, g);
          await addGroupMember(ctx.db, g, code);
        }
        n++;
      }
      await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'agency.import', agency: null, detail: { imported: n } });
      ctx.out({ imported: n }, `imported ${n} agencies`);
      return;
    }
    case 'bind-cert':
      return bindClientCertificate(ctx, options);
    case 'list': {
      const list = await listAgencies(ctx.db);
      ctx.out(list, list.map((a) => `${a.code.padEnd(16)} ${a.channel.padEnd(7)} ${a.name}`).join('\n'));
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong agency add|update|import|list|bind-cert');
  }
};

/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}
