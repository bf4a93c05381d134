import { createSandbox } from '../../domain/agencies/sandbox';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

const USAGE = 'usage: lienthong sandbox create [--endpoint URL --secret-env VAR [--format edxml|json]]';

/**
 * lienthong sandbox create: two marked test agencies with API keys on this instance, for a vendor
 * connecting its system. With --endpoint, the second one delivers by push to the vendor's receiver
 * (HMAC secret from the named environment variable, never from an argument).
 */
export const sandboxCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options, positionals } = parseArgs(rest, { endpoint: 'string', 'secret-env': 'string', format: 'string' });
  if (sub !== 'create' || positionals.length) throw new CliUsageError(USAGE);
  const secretEnv = options['secret-env'];
  if (!!options.endpoint !== !!secretEnv) throw new CliUsageError(`--endpoint and --secret-env go together\n${USAGE}`);
  const secret = secretEnv ? process.env[secretEnv] : undefined;
  if (secretEnv && !secret) throw new CliUsageError(`environment variable ${secretEnv} is empty or not set`);
  if (options.format && options.format !== 'edxml' && options.format !== 'json') throw new CliUsageError('--format must be edxml or json');
  const agencies = await createSandbox(ctx.db, ctx.config.masterKey, ctx.config.LIENTHONG_DEV_MODE, {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(secret ? { secret } : {}),
    ...(options.format ? { format: options.format as 'edxml' | 'json' } : {}),
  });
  const human = [
    'Sandbox created: two test agencies, marked sandbox, left out of every statistic. API keys are shown once: store them now.',
    ...agencies.map((a) => `  ${a.code.padEnd(24)} ${a.channel.padEnd(6)} ${a.name}\n    API key: ${a.apiKey}`),
    ...(agencies.every((a) => a.certificate)
      ? []
      : [`  No signing certificates yet (not dev mode): lienthong pki import --agency ${agencies[0]!.code} FILE.p12 (and the same for ${agencies[1]!.code})`]),
    `  Try: curl -H "Authorization: Bearer <key of ${agencies[0]!.code}>" <base URL>/v1/agencies   ·   reference: <base URL>/v1/docs`,
  ].join('\n');
  ctx.out({ agencies }, human);
};
