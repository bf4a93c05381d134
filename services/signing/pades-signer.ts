import * as crypto from 'node:crypto';
import { pemBlocks } from '../pki/x509-builder';
import { encodeSignedData, signAttributes, timestampAttribute } from './cms-builder';
import { SignatureTooLargeError, SigningIdentityError } from './errors';
import { addSignaturePlaceholder, ByteRange, WidgetFactory } from './pdf-placeholder';
import { buildStamp, SignatureAppearance } from './appearance/signature-stamp';
import { obtainTimestamp, TimestampOptions, Timestamper } from './signature-timestamp';

export type { SignatureAppearance } from './appearance/signature-stamp';
export type { TimestampOptions, Timestamper } from './signature-timestamp';
export { timestampOptionsFromConfig } from './signature-timestamp';

export interface SigningIdentity {
  privateKey: crypto.KeyObject;
  /** DER */
  certificate: Buffer;
  /** DER, issuers of `certificate` (intermediates, optionally the root); may be empty. */
  chain: Buffer[];
  /** The certificate's validity, when known (loadSigningIdentity fills it): signing outside it is refused. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface SignPdfOptions {
  /** Written to /M; the CMS carries no signing-time attribute (PAdES baseline). */
  signingTime: Date;
  reason?: string;
  location?: string;
  signerName?: string;
  contactInfo?: string;
  /** PAdES B-T: an RFC 3161 signature timestamp from this TSA. */
  timestamp?: TimestampOptions;
  /** Instead of `timestamp.url`: returns a token over SHA-256 of the signature value it is given. */
  timestamper?: Timestamper;
  /** A visible stamp at the top right of page 1 (Decree 30); invisible when absent. */
  appearance?: SignatureAppearance;
}

export interface SignedPdf {
  pdf: Buffer;
  /** B-T when a signature timestamp is inside, B-B otherwise. */
  level: 'B-B' | 'B-T';
  timestamped: boolean;
  /** Why a timestamp that was asked for is missing (policy "bb" signed B-B instead). */
  timestampError?: string;
}

/**
 * Bytes reserved for the CMS in /Contents (twice as many hex digits). Our own CMS with a
 * two-certificate RSA chain is ~2.5 KB and a timestamp token with its TSA certificate ~3 KB;
 * the rest is headroom for longer production chains.
 */
export const CMS_CAPACITY_BYTES = 16 * 1024;

/**
 * `certPem` may hold the signer certificate followed by its issuers; those are appended to the
 * chain before `chainPem`. The key must belong to the first certificate.
 */
export function loadSigningIdentity(keyPem: string, certPem: string, chainPem: string[] = []): SigningIdentity {
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(keyPem);
  } catch (err) {
    throw new SigningIdentityError(`the signing key is not a readable PEM private key: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa' && privateKey.asymmetricKeyType !== 'ec') {
    throw new SigningIdentityError(`signing keys must be RSA or EC, got ${String(privateKey.asymmetricKeyType)}`);
  }
  const [certificate, ...bundled] = pemBlocks(certPem, 'CERTIFICATE');
  if (!certificate) throw new SigningIdentityError('no PEM certificate found for the signer');
  const chain = [...bundled, ...chainPem.flatMap((pem) => pemBlocks(pem, 'CERTIFICATE'))];
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(certificate);
    chain.forEach((der) => new crypto.X509Certificate(der));
  } catch (err) {
    throw new SigningIdentityError(`a certificate could not be parsed: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new SigningIdentityError('the private key does not belong to the signer certificate');
  }
  return { privateKey, certificate, chain, notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo) };
}

function assertValidAt(identity: SigningIdentity, at: Date): void {
  if (identity.notAfter && at.getTime() > identity.notAfter.getTime()) {
    throw new SigningIdentityError(`the signer certificate expired on ${identity.notAfter.toISOString()}: import or issue a new one`);
  }
  if (identity.notBefore && at.getTime() < identity.notBefore.getTime()) {
    throw new SigningIdentityError(`the signer certificate is not valid before ${identity.notBefore.toISOString()}`);
  }
}

function digestRanges(pdf: Buffer, [a, b, c, d]: ByteRange): Buffer {
  return crypto.createHash('sha256').update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest();
}

/**
 * Signs a new signature field on the first page, PAdES B-B (B-T with a timestamp), as an
 * incremental update, and says what level it reached.
 */
export async function signPdfDetailed(pdf: Uint8Array, identity: SigningIdentity, opts: SignPdfOptions): Promise<SignedPdf> {
  assertValidAt(identity, opts.signingTime);
  const { appearance } = opts;
  const widget: WidgetFactory | undefined = appearance && ((page, allocate) => buildStamp(appearance, opts.signingTime, page, allocate));
  const prepared = await addSignaturePlaceholder(pdf, opts, CMS_CAPACITY_BYTES, widget);
  const digest = digestRanges(prepared.bytes, prepared.byteRange);
  const parts = signAttributes(digest, identity.certificate, identity.privateKey);
  const stamped = await obtainTimestamp(parts.signature, opts);
  const unsignedAttributes = stamped.token ? [timestampAttribute(stamped.token)] : [];
  const cms = encodeSignedData({ ...parts, ...identity, unsignedAttributes });
  if (cms.length > prepared.capacity) throw new SignatureTooLargeError(cms.length, prepared.capacity);
  // Only /Contents changes after hashing; it lies outside the byte range by construction.
  prepared.bytes.write(cms.toString('hex'), prepared.contentsOffset, 'latin1');
  return {
    pdf: prepared.bytes,
    level: stamped.token ? 'B-T' : 'B-B',
    timestamped: !!stamped.token,
    ...(stamped.error ? { timestampError: stamped.error } : {}),
  };
}

/** signPdfDetailed, returning only the bytes (the sign stage's original contract). */
export async function signPdf(pdf: Uint8Array, identity: SigningIdentity, opts: SignPdfOptions): Promise<Buffer> {
  return (await signPdfDetailed(pdf, identity, opts)).pdf;
}
