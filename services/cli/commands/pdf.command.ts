import fs from 'node:fs';
import { checkIncomingSignatures, type SignatureCheck } from '../../domain/pki/incoming-signatures';
import { vietnamTime } from '../../signing/appearance/signature-stamp';
import type { SignatureReport } from '../../signing/pades-verifier';
import { INDICATION_TEXT } from '../../signing/signature-verdict';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';
import { pdfRenewCommand, RENEW_USAGE } from './pdf-renew.command';

const USAGE = `usage: lienthong pdf verify FILE [--json]   (exit 0 passed, 1 failed, 2 indeterminate or unsigned)\n${RENEW_USAGE}`;

const yes = (v: boolean, no: string): string => (v ? 'yes' : no);

function describe(s: SignatureReport, index: number): string[] {
  const ts = s.timestamp;
  const lines = [
    `signature ${index + 1}${s.kind === 'document-timestamp' ? ' (document timestamp)' : ''}: ${s.signerCommonName ?? 'unknown signer'}`,
    `  verdict: ${s.verdict.indication.toUpperCase()}${s.verdict.reason ? ` (${s.verdict.reason})` : ''} — ${s.verdict.message}`,
    `  claimed signing time (/M, not trusted): ${s.signingTime ? vietnamTime(s.signingTime) : 'none'}`,
    `  bytes intact: ${yes(s.digestMatches, 'NO')}; signature value valid: ${yes(s.signatureValid, 'NO')}; algorithm: ${s.algorithm ?? '?'}${s.weakAlgorithm ? ` (WEAK: ${s.weakAlgorithm})` : ''}${s.cmsEncoding ? `; CMS ${s.cmsEncoding}` : ''}`,
    `  covers: ${s.coversWholeDocument ? 'the whole file' : s.revision ? `revision ${s.revision} of ${s.revisions}` : 'part of the file'}`,
    ...s.changes.map((c) => `  later change (revision ${c.revision}): ${c.text} — ${c.allowed ? 'allowed' : 'NOT allowed'}`),
    `  certificate path: ${s.chain.join(' ← ') || 'none'} — ${s.chainTrusted ? 'trusted anchor' : 'NO trust anchor'}`,
    `  validation time: ${vietnamTime(new Date(s.validationTime))} (${s.validationTimeSource}); certificate valid then: ${yes(s.certificateValidAtValidationTime, 'NO')}`,
    `  revocation: ${s.revocation.status}${s.revocation.source ? ` (${s.revocation.source})` : ''}`,
  ];
  if (s.kind === 'signature') {
    lines.push(
      ts
        ? `  timestamp: ${ts.time ? vietnamTime(ts.time) : '?'} by ${ts.tsaName ?? 'unknown TSA'} — ${ts.valid ? 'valid' : 'NOT valid'}, ${ts.trusted ? 'trusted' : 'NOT trusted'}`
        : '  timestamp: none (PAdES B-B)',
    );
  }
  lines.push(...s.verdict.findings.slice(1).map((f) => `  also: ${f.code} — ${f.message}`));
  return lines;
}

function humanReport(file: string, check: SignatureCheck): string {
  const verdict = !check.signed
    ? 'RESULT: NOT SIGNED'
    : `RESULT: ${check.indication?.toUpperCase()} (${INDICATION_TEXT[check.indication ?? 'indeterminate']})${check.problem ? `: ${check.problem}` : ''}`;
  return [`${file}: ${check.signatures.length} signature(s)`, ...check.signatures.flatMap(describe), verdict].join('\n');
}

/** lienthong pdf verify FILE — exit 0 passed, 1 failed, 2 indeterminate (or not signed). */
export const pdfCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  if (sub === 'renew') return pdfRenewCommand(rest, ctx);
  const [file, ...extra] = parseArgs(rest, {}).positionals;
  if (sub !== 'verify' || !file || extra.length > 0) throw new CliUsageError(USAGE);
  let pdf: Buffer;
  try {
    pdf = fs.readFileSync(file);
  } catch (err) {
    throw new CliUsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const check = await checkIncomingSignatures(ctx.db, pdf, {
    trustStoreDir: ctx.config.LIENTHONG_TRUST_STORE, softFail: ctx.config.LIENTHONG_REVOCATION_SOFT_FAIL,
    revocationTimeoutMs: ctx.config.LIENTHONG_REVOCATION_TIMEOUT_MS, budgetMs: ctx.config.LIENTHONG_VERIFY_BUDGET_MS,
  });
  ctx.out({ file, ...check, broken: check.signatures.filter((s) => s.verdict.indication === 'failed').length }, humanReport(file, check));
  return check.indication === 'passed' ? 0 : check.indication === 'failed' ? 1 : 2;
};
