import { parseArgs as nodeParseArgs } from 'node:util';
import type { Config } from '../config/config';
import type { Db } from '../db/pool';

/** What every CLI command receives. Output goes through `out` so `--json` is handled in one place. */
export interface CliContext {
  db: Db;
  config: Config;
  json: boolean;
  /** Prints a result: JSON when --json, otherwise the human text. */
  out(value: unknown, human?: string): void;
}

export class CliUsageError extends Error {}

/**
 * The options a command accepts: `'string'` takes a value, `'boolean'` is a bare flag, `'flag'` is a
 * bare flag that may also be given a value (`--x`, `--x false`, `--x=no`: read as "true" or the value).
 */
export type OptionSpec = Record<string, 'string' | 'boolean' | 'flag'>;

const FLAG_WORDS = new Set(['true', 'false', 'yes', 'no', '1', '0']);

/** `--x` of a `'flag'` option without a value of its own gets "true", so node:util reads it as a string option. */
function withFlagValues(args: string[], spec: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    out.push(arg);
    if (arg === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name && spec[name] === 'flag' && !FLAG_WORDS.has((args[i + 1] ?? '').toLowerCase())) out.push('true');
  }
  return out;
}

/**
 * `--name value` options and positionals, parsed strictly by node:util: an option the command
 * does not know, or a value missing after a string option, is a usage error (exit 2). Flags read
 * as "true", so call sites test `options.failed === 'true'`.
 */
export function parseArgs(args: string[], spec: OptionSpec = {}): { positionals: string[]; options: Record<string, string> } {
  const config = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type: type === 'flag' ? 'string' as const : type }]));
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: withFlagValues(args, spec), options: config, strict: true, allowPositionals: true });
  } catch (err) {
    const known = Object.keys(spec).map((n) => `--${n}`).join(', ') || 'none';
    throw new CliUsageError(`${(err as Error).message.split('. ')[0]} (options here: ${known})`);
  }
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.values)) options[name] = typeof value === 'string' ? value : 'true';
  return { positionals: parsed.positionals, options };
}

export function required(options: Record<string, string>, name: string): string {
  const v = options[name];
  if (!v || v === 'true') throw new CliUsageError(`--${name} is required`);
  return v;
}

export type CommandHandler = (args: string[], ctx: CliContext) => Promise<number | void>;
