import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';
import { pemBlocks } from '../../pki/x509-builder';
import { SignatureReport, verifyPdfSignatures } from '../../signing/pades-verifier';
import { trustAnchorsPem } from './agency-certificate.repository';

// PDFs that arrive already signed (edXML attachments, uploads). A broken signature — bytes
// changed after signing, or a signature value that does not verify — is refused at intake: the
// hub must not relay a forgery as if it were authentic. An untrusted or expired signer is not
// refused, only reported: the recipient decides, and the hub adds its own signature anyway.

export interface SignatureCheck {
  signed: boolean;
  /** No signature is broken (an unsigned PDF is ok). */
  ok: boolean;
  /** Signed, and every signature is intact and chains to a trust anchor. */
  trusted: boolean;
  signatures: SignatureReport[];
  /** The first thing wrong, as a sentence; absent when signed, ok and trusted. */
  problem?: string;
}

export class IncomingSignatureError extends Error {
  override name = 'IncomingSignatureError';
  readonly code = 'SIGNATURE_INVALID';
  constructor(message: string, readonly details: string[]) {
    super(message);
  }
}

export const isBroken = (s: SignatureReport): boolean => !s.digestMatches || !s.signatureValid;

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

export async function trustAnchors(db: Queryable, trustStoreDir?: string): Promise<Buffer[]> {
  const fromDb = (await trustAnchorsPem(db)).flatMap((pem) => pemBlocks(pem, 'CERTIFICATE'));
  return trustStoreDir ? [...fromDb, ...readTrustStore(trustStoreDir)] : fromDb;
}

export function summarize(signatures: SignatureReport[]): SignatureCheck {
  const signed = signatures.length > 0;
  const broken = signatures.find(isBroken);
  const untrusted = signatures.find((s) => !s.chainTrusted || (s.timestamp !== null && !s.timestamp.valid));
  const trusted = signed && !broken && !untrusted;
  const describe = (s: SignatureReport): string =>
    `signature ${signatures.indexOf(s) + 1} (${s.signerCommonName ?? 'unknown signer'}): ${s.problems[0] ?? 'not valid'}`;
  const problem = broken ? describe(broken) : !signed ? 'the PDF carries no signature' : untrusted ? describe(untrusted) : undefined;
  return { signed, ok: !broken, trusted, signatures, ...(problem ? { problem } : {}) };
}

export async function checkIncomingSignatures(db: Queryable, pdf: Uint8Array, opts: { trustStoreDir?: string } = {}): Promise<SignatureCheck> {
  return summarize(await verifyPdfSignatures(pdf, await trustAnchors(db, opts.trustStoreDir)));
}

/** For the intake: refuses a PDF whose signature is broken (SIGNATURE_INVALID); unsigned or untrusted passes. */
export function assertIncomingSignaturesValid(check: SignatureCheck): void {
  if (check.ok) return;
  const problems = check.signatures.filter(isBroken).flatMap((s) => s.problems);
  throw new IncomingSignatureError(
    `The PDF carries a broken digital signature — it was changed after signing or the signature is forged: ${check.problem ?? problems[0]}.`,
    problems,
  );
}
