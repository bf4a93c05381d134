import dns from 'node:dns';
import net from 'node:net';
import { AGENCY_CODE_PATTERN, type Channel } from '../../../contracts';
import { addressRefusal, endpointUrlProblem } from '../../domain/agencies/address-policy';
import { findAgency, upsertAgency } from '../../domain/agencies/agency.repository';
import { CliUsageError, required, type CliContext } from '../cli-context';

const FLAG_VALUES: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

/** `--flag` alone, or `--flag true|false`; undefined when absent. */
export function flagOption(options: Record<string, string>, name: string): boolean | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const b = FLAG_VALUES[v.toLowerCase()];
  if (b === undefined) throw new CliUsageError(`--${name} takes no value, or true|false`);
  return b;
}

/**
 * The push-endpoint rules the workers enforce at every attempt, checked when the operator saves
 * the endpoint wherever they can be known then: http(s) only, https outside dev mode, and no
 * loopback, private, link-local, unspecified or metadata address — whether written as an address
 * or resolved now from the name — unless `allowPrivate`. A name that does not resolve yet is
 * saved with a warning (it is checked again, after DNS, at every attempt). Returns the warning.
 */
export async function checkPushEndpoint(url: string, devMode: boolean, allowPrivate: boolean): Promise<string | undefined> {
  const problem = endpointUrlProblem(url, devMode, allowPrivate);
  if (problem) throw new CliUsageError(`--endpoint ${url}: ${problem}`);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return undefined;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch (err) {
    return `cảnh báo: chưa phân giải được ${host} (${(err as NodeJS.ErrnoException).code ?? 'lỗi DNS'}); địa chỉ sẽ được kiểm tra lại ở mỗi lần gửi`;
  }
  for (const a of addresses) {
    const why = addressRefusal(a.address, allowPrivate);
    if (why) {
      throw new CliUsageError(
        `--endpoint ${url}: ${host} phân giải tới ${why}: bị từ chối. Nếu đó đúng là hệ thống của cơ quan trên mạng nội bộ, thêm --allow-private-endpoint.`,
      );
    }
  }
  return undefined;
}

/**
 * lienthong agency update --code C [--name N] [--channel …] [--endpoint URL] [--format edxml|json]
 *   [--allow-private-endpoint [true|false]] [--push-receipt [true|false]]
 * Changes only what is given; the endpoint rules are checked on the result.
 */
export async function agencyUpdate(options: Record<string, string>, ctx: CliContext): Promise<void> {
  const code = required(options, 'code');
  if (!AGENCY_CODE_PATTERN.test(code)) throw new CliUsageError(`agency code ${code} must match ^[0-9A-Z.]{1,35}$`);
  const current = await findAgency(ctx.db, code);
  if (!current) throw new CliUsageError(`no agency ${code} (lienthong agency add)`);
  const channel = (options.channel ?? current.channel) as Channel;
  if (!['hosted', 'push', 'paper'].includes(channel)) throw new CliUsageError('--channel must be one of hosted, push, paper');
  const endpointUrl = options.endpoint ?? current.endpointUrl;
  const allowPrivateEndpoint = flagOption(options, 'allow-private-endpoint') ?? current.allowPrivateEndpoint;
  const pushReceipt = flagOption(options, 'push-receipt') ?? current.pushReceipt;
  if (channel === 'push' && !endpointUrl) throw new CliUsageError('a push agency needs --endpoint URL');
  const warning = endpointUrl ? await checkPushEndpoint(endpointUrl, ctx.config.LIENTHONG_DEV_MODE, allowPrivateEndpoint) : undefined;
  await upsertAgency(ctx.db, {
    code,
    name: options.name ?? current.name,
    parentCode: options.parent ?? current.parentCode,
    level: options.level ? Number(options.level) : current.level,
    channel,
    endpointUrl,
    pushFormat: options.format ? (options.format === 'json' ? 'json' : 'edxml') : current.pushFormat,
    allowPrivateEndpoint,
    pushReceipt,
  });
  ctx.out({ code, channel, endpointUrl, allowPrivateEndpoint, pushReceipt, ...(warning ? { warning } : {}) }, [`agency ${code} updated`, ...(warning ? [warning] : [])].join('\n'));
}
