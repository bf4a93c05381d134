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

/** The options a command accepts: `'string'` takes a value, `'boolean'` is a bare flag. */
export type OptionSpec = Record<string, 'string' | 'boolean'>;

/**
 * `--name value` options and positionals, parsed strictly by node:util: an option the command
 * does not know, or a value missing after a string option, is a usage error (exit 2). Flags read
 * as "true", so call sites test `options.failed === 'true'`.
 */
export function parseArgs(args: string[], spec: OptionSpec = {}): { positionals: string[]; options: Record<string, string> } {
  const config = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]));
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args, options: config, strict: true, allowPositionals: true });
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
