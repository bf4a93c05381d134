import { X509Certificate } from 'node:crypto';
import type { RevocationChecker } from '../pki/revocation/revocation-checker';
import { analyseInThread } from './analyse-in-thread';
import { analyseSignatures } from './signature-analysis';
import { SignatureReport, validateSignatures } from './signature-validation';

export { findSignatures } from './pdf-signature-scan';
export type { FoundSignature } from './pdf-signature-scan';
export type { TimestampReport } from './timestamp-token';
export type { SignatureReport } from './signature-validation';

// Verifies what a receiving agency needs to know about each signature (ETSI EN 319 102-1): the
// covered bytes and the signature value, what later revisions changed, the path to a trust anchor
// at the validation time (a trusted timestamp's, else now), revocation, algorithm strength —
// ending in a verdict: passed, indeterminate or failed, with the reason in Vietnamese.

export interface VerifyOptions {
  /** TSA anchors; defaults to the signing anchors. */
  tsaAnchorsDer?: Buffer[];
  revocation?: RevocationChecker;
  softFail?: boolean;
  /** Run the CPU-bound part in a worker thread (gateway, workers). */
  inThread?: boolean;
  /** Time budget of locating and parsing (default 20 s). */
  budgetMs?: number;
  now?: Date;
}

export const DEFAULT_VERIFY_BUDGET_MS = 20_000;

const certs = (ders: Buffer[]): X509Certificate[] => ders.map((der) => new X509Certificate(der));

/** One report per signature dictionary, oldest first. Never throws for a bad signature: it reports it. */
export async function verifyPdfSignatures(pdf: Uint8Array | { path: string }, trustAnchorsDer: Buffer[], opts: VerifyOptions = {}): Promise<SignatureReport[]> {
  const budget = opts.budgetMs ?? DEFAULT_VERIFY_BUDGET_MS;
  let analyses;
  if ('path' in pdf && !(pdf instanceof Uint8Array)) {
    // a file is always read by the analysis thread itself
    analyses = await analyseInThread(pdf, budget);
  } else {
    const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    analyses = opts.inThread ? await analyseInThread(buf, budget) : analyseSignatures(buf, budget);
  }
  return validateSignatures(analyses, {
    signingAnchors: certs(trustAnchorsDer),
    tsaAnchors: certs(opts.tsaAnchorsDer ?? trustAnchorsDer),
    ...(opts.revocation ? { revocation: opts.revocation } : {}),
    ...(opts.softFail !== undefined ? { softFail: opts.softFail } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
}
