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

/** `--name value` options and positionals, nothing clever. Flags without a value are "true". */
export function parseArgs(args: string[]): { positionals: string[]; options: Record<string, string> } {
  const positionals: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        options[a.slice(2)] = next;
        i++;
      } else options[a.slice(2)] = 'true';
    } else positionals.push(a);
  }
  return { positionals, options };
}

export function required(options: Record<string, string>, name: string): string {
  const v = options[name];
  if (!v || v === 'true') throw new CliUsageError(`--${name} is required`);
  return v;
}

export type CommandHandler = (args: string[], ctx: CliContext) => Promise<number | void>;
