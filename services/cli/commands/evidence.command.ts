import fs from 'node:fs';
import { verifyEvidenceBundle } from '../../evidence/evidence-verify';
import { CliUsageError, type CommandHandler } from '../cli-context';

const USAGE = 'usage: lienthong evidence verify FILE.zip --trust CA.pem [--trust CA2.pem ...]   (no database, no network; exit 0 valid, 1 not)';

/** `--trust` may be repeated, so it is read here rather than by parseArgs (which keeps the last). */
function splitArgs(args: string[]): { positionals: string[]; trust: string[] } {
  const positionals: string[] = [];
  const trust: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--trust') {
      const v = args[++i];
      if (!v) throw new CliUsageError('--trust takes a PEM file');
      trust.push(v);
    } else if (a.startsWith('--trust=')) trust.push(a.slice(8));
    else if (a.startsWith('--')) throw new CliUsageError(`unknown option ${a} (options here: --trust)`);
    else positionals.push(a);
  }
  return { positionals, trust };
}

/** lienthong evidence verify FILE --trust CA.pem: what the bundle proves, or the part that fails. */
export const evidenceCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, trust } = splitArgs(rest);
  if (sub !== 'verify' || positionals.length !== 1) throw new CliUsageError(USAGE);
  if (trust.length === 0) throw new CliUsageError(`at least one --trust CA.pem is required\n${USAGE}`);
  const pems = trust.map((file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliUsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  });
  const file = positionals[0]!;
  if (!fs.existsSync(file)) throw new CliUsageError(`cannot read ${file}: ENOENT`);
  const report = await verifyEvidenceBundle(file, pems.flatMap(splitPem));
  ctx.out({ file, ...report }, [`Gói bằng chứng: ${file}`, ...report.lines].join('\n'));
  return report.ok ? 0 : 1;
};

function splitPem(text: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CliUsageError('a --trust file holds no PEM certificate');
  return blocks;
}
