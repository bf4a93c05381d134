import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { RevocationChecker } from '../../pki/revocation/revocation-checker';
import { dbRevocationCache, importedCrls } from '../../pki/revocation/revocation-store';
import { pemBlocks } from '../../pki/x509-builder';
import { SignatureReport, verifyPdfSignatures } from '../../signing/pades-verifier';
import { Indication, overallIndication } from '../../signing/signature-verdict';
import { trustAnchorsPem } from './agency-certificate.repository';

// PDFs that arrive already signed (edXML attachments, uploads), and `lienthong pdf verify`: every
// signature is validated (ETSI EN 319 102-1) against the trust list, with revocation from CRL
// and OCSP, and the document gets the worst verdict of its signatures.

export interface SignatureCheck {
  signed: boolean;
  /** passed / indeterminate / failed for the whole document; null when unsigned. */
  indication: Indication | null;
  /** No signature failed (an unsigned PDF is ok). */
  ok: boolean;
  /** Signed, and every signature passed. */
  trusted: boolean;
  signatures: SignatureReport[];
  /** The verdict sentence of the worst signature (Vietnamese); absent when passed. */
  problem?: string;
}

export class IncomingSignatureError extends Error {
  override name = 'IncomingSignatureError';
  readonly code = 'SIGNATURE_INVALID';
  constructor(message: string, readonly details: string[]) {
    super(message);
  }
}

export const isBroken = (s: SignatureReport): boolean => s.verdict.indication === 'failed';

/** PEM files (one or more certificates each) or DER files in the LIENTHONG_TRUST_STORE folder. */
export function readTrustStore(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!/\.(pem|crt|cer|der)$/i.test(name)) continue;
    const bytes = fs.readFileSync(path.join(dir, name));
    const blocks = pemBlocks(bytes.toString('latin1'), 'CERTIFICATE');
    const ders = blocks.length > 0 ? blocks : [bytes];
    for (const der of ders) {
      try {
        out.push(new X509Certificate(der).raw);
      } catch (err) {
        throw new Error(`LIENTHONG_TRUST_STORE: ${name} is not a certificate: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

/** Anchors for a purpose: the trust list's, plus the trust-store folder's (trusted for both). */
export async function trustAnchors(db: Queryable, trustStoreDir?: string, purpose: 'signing' | 'tsa' = 'signing'): Promise<Buffer[]> {
  const fromDb = (await trustAnchorsPem(db, purpose)).flatMap((pem) => pemBlocks(pem, 'CERTIFICATE'));
  return trustStoreDir ? [...fromDb, ...readTrustStore(trustStoreDir)] : fromDb;
}

export function summarize(signatures: SignatureReport[]): SignatureCheck {
  const indication = overallIndication(signatures.map((s) => s.verdict.indication));
  const worst = signatures.find((s) => s.verdict.indication === 'failed') ?? signatures.find((s) => s.verdict.indication === 'indeterminate');
  const signed = signatures.length > 0;
  const problem = !signed ? 'the PDF carries no signature' : worst?.verdict.message;
  return { signed, indication, ok: indication !== 'failed', trusted: indication === 'passed', signatures, ...(problem ? { problem } : {}) };
}

export interface CheckOptions {
  trustStoreDir?: string | undefined;
  softFail?: boolean;
  revocationTimeoutMs?: number;
  /** Off the event loop (gateway, workers). */
  inThread?: boolean;
  budgetMs?: number;
  /** Revocation checking (default on). */
  revocation?: boolean;
}

export function revocationChecker(db: Queryable, timeoutMs = 5_000): RevocationChecker {
  return new RevocationChecker({ cache: dbRevocationCache(db), importedCrls: () => importedCrls(db), timeoutMs });
}

export async function checkIncomingSignatures(db: Queryable, pdf: Uint8Array | { path: string }, opts: CheckOptions = {}): Promise<SignatureCheck> {
  const signing = await trustAnchors(db, opts.trustStoreDir, 'signing');
  const tsa = await trustAnchors(db, opts.trustStoreDir, 'tsa');
  return summarize(await verifyPdfSignatures(pdf, signing, {
    tsaAnchorsDer: tsa,
    ...(opts.revocation === false ? {} : { revocation: revocationChecker(db, opts.revocationTimeoutMs) }),
    ...(opts.softFail !== undefined ? { softFail: opts.softFail } : {}),
    ...(opts.inThread !== undefined ? { inThread: opts.inThread } : {}),
    ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
  }));
}

/** For the intake: refuses a PDF with a failed signature (SIGNATURE_INVALID), with the reason. */
export function assertIncomingSignaturesValid(check: SignatureCheck, refuseIndeterminate = false): void {
  if (check.ok && !(refuseIndeterminate && check.indication === 'indeterminate')) return;
  const bad = check.signatures.filter((s) => s.verdict.indication === 'failed' || (refuseIndeterminate && s.verdict.indication === 'indeterminate'));
  const details = bad.flatMap((s) => s.verdict.findings.map((f) => f.message));
  throw new IncomingSignatureError(check.problem ?? details[0] ?? 'chữ ký số không hợp lệ', details);
}
