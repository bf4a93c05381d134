import fs from 'node:fs';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import type { SignatureReport } from '../../signing/pades-verifier';
import { DomainError } from '../errors/domain-error';
import { assertIncomingSignaturesValid, checkIncomingSignatures, IncomingSignatureError, type SignatureCheck } from '../pki/incoming-signatures';
import { VerificationBudgetError } from '../../signing/analyse-in-thread';

/** How the intake treats a PDF that arrives signed (LIENTHONG_SIGNATURE_INTAKE_POLICY and friends). */
export interface SignatureIntakeOptions {
  policy: 'refuse-failed' | 'refuse-indeterminate' | 'accept-all';
  softFail: boolean;
  revocationTimeoutMs: number;
  budgetMs: number;
}

export function signatureIntakeOptions(config: {
  LIENTHONG_SIGNATURE_INTAKE_POLICY: SignatureIntakeOptions['policy'];
  LIENTHONG_REVOCATION_SOFT_FAIL: boolean;
  LIENTHONG_REVOCATION_TIMEOUT_MS: number;
  LIENTHONG_VERIFY_BUDGET_MS: number;
}): SignatureIntakeOptions {
  return {
    policy: config.LIENTHONG_SIGNATURE_INTAKE_POLICY, softFail: config.LIENTHONG_REVOCATION_SOFT_FAIL,
    revocationTimeoutMs: config.LIENTHONG_REVOCATION_TIMEOUT_MS, budgetMs: config.LIENTHONG_VERIFY_BUDGET_MS,
  };
}

export interface SignatureLine {
  index: number;
  kind: 'signature' | 'document-timestamp';
  signer: string | null;
  /** /M, as claimed by the signer (shown, never trusted). */
  signingTime: string | null;
  indication: 'passed' | 'indeterminate' | 'failed';
  reason: string | null;
  /** One Vietnamese sentence. */
  message: string;
  findings: { code: string; message: string }[];
  coversWholeDocument: boolean;
  revision: number | null;
  revisions: number | null;
  changes: { revision: number; text: string; allowed: boolean }[];
  chainTrusted: boolean;
  chain: string[];
  timestamped: boolean;
  timestamp: { time: string | null; tsa: string | null; trusted: boolean; valid: boolean } | null;
  validationTime: string;
  revocation: string;
  algorithm: string | null;
}

/** What the intake found in a PDF that arrived already signed: kept with the document and shown to every recipient. */
export interface IncomingSignatureSummary {
  signed: boolean;
  indication: 'passed' | 'indeterminate' | 'failed' | null;
  ok: boolean;
  trusted: boolean;
  problem: string | null;
  /** Vietnamese warnings shown to every recipient (indeterminate signatures, accepted failures). */
  warnings: string[];
  /** Set when the PDF was changed after a signature and accepted anyway (accept-all): the sign stage refuses to re-sign it. */
  modifiedAfterSigning: boolean;
  signatures: SignatureLine[];
}

export function signatureLine(s: SignatureReport, index: number): SignatureLine {
  const ts = s.timestamp;
  return {
    index: index + 1, kind: s.kind, signer: s.signerCommonName ?? null, signingTime: s.signingTime ? new Date(s.signingTime).toISOString() : null,
    indication: s.verdict.indication, reason: s.verdict.reason, message: s.verdict.message,
    findings: s.verdict.findings.map((f) => ({ code: f.code, message: f.message })),
    coversWholeDocument: s.coversWholeDocument, revision: s.revision, revisions: s.revisions,
    changes: s.changes.map((c) => ({ revision: c.revision, text: c.text, allowed: c.allowed })),
    chainTrusted: s.chainTrusted, chain: s.chain, timestamped: !!ts?.valid,
    timestamp: ts ? { time: ts.time ? new Date(ts.time).toISOString() : null, tsa: ts.tsaName, trusted: ts.trusted, valid: ts.valid } : null,
    validationTime: new Date(s.validationTime).toISOString(), revocation: s.revocation.status, algorithm: s.algorithm,
  };
}

export function summaryOf(check: SignatureCheck): IncomingSignatureSummary {
  const lines = check.signatures.map(signatureLine);
  return {
    signed: check.signed, indication: check.indication, ok: check.ok, trusted: check.trusted, problem: check.problem ?? null,
    warnings: lines.filter((l) => l.indication !== 'passed').map((l) => l.message),
    modifiedAfterSigning: check.signatures.some((s) => s.verdict.findings.some((f) => f.code === 'MODIFIED_AFTER_SIGNING')),
    signatures: lines,
  };
}

/**
 * A PDF that arrives signed (from another system, through edXML or upload) is verified before it
 * is accepted, in a worker thread under a time budget. Default policy: failed → 422
 * SIGNATURE_INVALID with the reason; indeterminate → accepted, the warning stored and shown to
 * every recipient; passed → shown as valid.
 */
export async function checkArrivingSignatures(db: Db, pdf: Buffer | { path: string }, limits: { trustStoreDir?: string | undefined; signatures?: SignatureIntakeOptions | undefined }): Promise<IncomingSignatureSummary | null> {
  if (Buffer.isBuffer(pdf) && pdf.indexOf('/ByteRange') === -1) return null; // cheap: no signature dictionary at all
  const opts = limits.signatures;
  let check: SignatureCheck;
  try {
    check = await checkIncomingSignatures(db, pdf, {
      trustStoreDir: limits.trustStoreDir, inThread: true,
      ...(opts ? { softFail: opts.softFail, revocationTimeoutMs: opts.revocationTimeoutMs, budgetMs: opts.budgetMs } : {}),
    });
  } catch (err) {
    if (err instanceof VerificationBudgetError) {
      throw new DomainError(ErrorCode.INVALID_FILE, `Không kiểm tra được chữ ký số trên tệp trong thời gian cho phép: ${err.message}`);
    }
    throw err;
  }
  if (!check.signed) return null;
  const policy = opts?.policy ?? 'refuse-failed';
  if (policy !== 'accept-all') {
    try {
      assertIncomingSignaturesValid(check, policy === 'refuse-indeterminate');
    } catch (err) {
      if (err instanceof IncomingSignatureError) {
        const worst = check.signatures.find((s) => s.verdict.indication === 'failed') ?? check.signatures.find((s) => s.verdict.indication !== 'passed');
        throw new DomainError(ErrorCode.SIGNATURE_INVALID, `Chữ ký số trên tệp không hợp lệ: ${err.message}`, [
          ...(worst?.verdict.findings ?? []).map((f) => ({ reason: f.code, problem: f.message })),
        ]);
      }
      throw err;
    }
  }
  return summaryOf(check);
}

const SIGNATURE_MARKER = Buffer.from('/ByteRange');
const SCAN_WINDOW = 1024 * 1024;

/** Whether `marker` occurs in the file, read in 1 MiB windows that overlap by the marker's length. */
export async function fileContains(file: string, marker: Buffer): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  const overlap = marker.length - 1;
  const buffer = Buffer.allocUnsafe(SCAN_WINDOW + overlap);
  try {
    let kept = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, SCAN_WINDOW, null);
      if (bytesRead === 0) return false;
      const filled = kept + bytesRead;
      if (buffer.subarray(0, filled).indexOf(marker) !== -1) return true;
      kept = Math.min(overlap, filled);
      buffer.copy(buffer, 0, filled - kept, filled);
    }
  } finally {
    await handle.close();
  }
}

/**
 * checkArrivingSignatures for a PDF that arrived as a temporary file (a large upload): the file is
 * scanned for a signature dictionary in bounded windows; when it has one, the analysis thread
 * reads it (never the event loop's thread). Unsigned scans, the usual large uploads, never sit in
 * memory.
 */
export async function checkArrivingSignaturesOfFile(db: Db, file: string, limits: Parameters<typeof checkArrivingSignatures>[2]): Promise<IncomingSignatureSummary | null> {
  if (!(await fileContains(file, SIGNATURE_MARKER))) return null;
  return checkArrivingSignatures(db, { path: file }, limits); // the analysis thread reads the file, not this one
}
