import fs from 'node:fs';
import { checkIncomingSignatures, isBroken, type SignatureCheck } from '../../domain/pki/incoming-signatures';
import { vietnamTime } from '../../signing/appearance/signature-stamp';
import type { SignatureReport } from '../../signing/pades-verifier';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

const USAGE = 'usage: lienthong pdf verify FILE [--json]   (exit 0 when signed and every signature is valid and trusted)';

const yes = (v: boolean, no: string): string => (v ? 'yes' : no);

function describe(s: SignatureReport, index: number): string[] {
  const ts = s.timestamp;
  const lines = [
    `signature ${index + 1}${s.kind === 'document-timestamp' ? ' (document timestamp)' : ''}: ${s.signerCommonName ?? 'unknown signer'}`,
    `  claimed signing time: ${s.signingTime ? vietnamTime(s.signingTime) : 'none'}`,
    `  bytes intact: ${yes(s.digestMatches, 'NO — changed after signing')}; signature value valid: ${yes(s.signatureValid, 'NO')}`,
    `  covers the whole file: ${yes(s.coversWholeDocument, 'no (later revisions were appended)')}`,
    `  certificate trusted: ${yes(s.chainTrusted, 'NO')}`,
  ];
  if (s.kind === 'signature') {
    lines.push(
      ts
        ? `  timestamp: ${ts.time ? vietnamTime(ts.time) : '?'} by ${ts.tsaName ?? 'unknown TSA'} — ${ts.valid ? 'valid' : 'NOT valid'}, ${ts.trusted ? 'trusted' : 'NOT trusted'}`
        : '  timestamp: none (PAdES B-B)',
    );
  }
  lines.push(...s.problems.map((p) => `  problem: ${p}`));
  return lines;
}

function humanReport(file: string, check: SignatureCheck): string {
  const verdict = check.trusted
    ? 'RESULT: every signature is valid and trusted'
    : `RESULT: ${!check.ok ? 'BROKEN SIGNATURE' : !check.signed ? 'NOT SIGNED' : 'NOT TRUSTED'}: ${check.problem ?? ''}`;
  return [`${file}: ${check.signatures.length} signature(s)`, ...check.signatures.flatMap(describe), verdict].join('\n');
}

/** lienthong pdf verify FILE */
export const pdfCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const [file, ...extra] = parseArgs(rest, {}).positionals;
  if (sub !== 'verify' || !file || extra.length > 0) throw new CliUsageError(USAGE);
  let pdf: Buffer;
  try {
    pdf = fs.readFileSync(file);
  } catch (err) {
    throw new CliUsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const check = await checkIncomingSignatures(ctx.db, pdf, { trustStoreDir: ctx.config.LIENTHONG_TRUST_STORE });
  ctx.out({ file, ...check, broken: check.signatures.filter(isBroken).length }, humanReport(file, check));
  return check.trusted ? 0 : 1;
};
