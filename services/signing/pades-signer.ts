import * as crypto from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pemBlocks } from '../pki/x509-builder';
import { encodeSignedData, signAttributes, timestampAttribute } from './cms-builder';
import { SignatureTooLargeError, SigningIdentityError, UnsignablePdfError } from './errors';
import { PdfFileReader, PdfUnreadableError } from './pdf-file-reader';
import { copyAndHash, fileSignTarget, writeAll } from './pdf-file-signing';
import { addSignaturePlaceholder, buildSignatureUpdate, ByteRange, SignatureUpdate, SignTarget, WidgetFactory } from './pdf-placeholder';
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
  /** The CMS written into /Contents (B-LT adds its validation data to the DSS under its VRI key). */
  cms: Buffer;
  /** The signed document as a further update continues it (B-LT, B-LTA), without parsing it again. */
  next?: SignTarget;
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

function widgetFor(opts: SignPdfOptions): WidgetFactory | undefined {
  const { appearance } = opts;
  return appearance && ((page, allocate) => buildStamp(appearance, opts.signingTime, page, allocate));
}

interface SignatureValue {
  cms: Buffer;
  level: 'B-B' | 'B-T';
  timestamped: boolean;
  timestampError?: string;
}

/** The CMS over `digest` (with a signature timestamp when asked for), checked to fit `capacity`. */
async function signatureOver(digest: Buffer, identity: SigningIdentity, opts: SignPdfOptions, capacity: number): Promise<SignatureValue> {
  const parts = signAttributes(digest, identity.certificate, identity.privateKey);
  const stamped = await obtainTimestamp(parts.signature, opts);
  const unsignedAttributes = stamped.token ? [timestampAttribute(stamped.token)] : [];
  const cms = encodeSignedData({ ...parts, ...identity, unsignedAttributes });
  if (cms.length > capacity) throw new SignatureTooLargeError(cms.length, capacity);
  return {
    cms,
    level: stamped.token ? 'B-T' : 'B-B',
    timestamped: !!stamped.token,
    ...(stamped.error ? { timestampError: stamped.error } : {}),
  };
}

/**
 * Signs a new signature field on the first page, PAdES B-B (B-T with a timestamp), as an
 * incremental update, and says what level it reached.
 */
export async function signPdfDetailed(pdf: Uint8Array, identity: SigningIdentity, opts: SignPdfOptions): Promise<SignedPdf> {
  assertValidAt(identity, opts.signingTime);
  const prepared = await addSignaturePlaceholder(pdf, opts, CMS_CAPACITY_BYTES, widgetFor(opts));
  const digest = digestRanges(prepared.bytes, prepared.byteRange);
  const { cms, ...result } = await signatureOver(digest, identity, opts, prepared.capacity);
  // Only /Contents changes after hashing; it lies outside the byte range by construction.
  prepared.bytes.write(cms.toString('hex'), prepared.contentsOffset, 'latin1');
  return { pdf: prepared.bytes, cms, next: prepared.next, ...result };
}

/** signPdfDetailed, returning only the bytes (the sign stage's original contract). */
export async function signPdf(pdf: Uint8Array, identity: SigningIdentity, opts: SignPdfOptions): Promise<Buffer> {
  return (await signPdfDetailed(pdf, identity, opts)).pdf;
}

export interface SignPdfFileOptions extends SignPdfOptions {
  /**
   * When the lazy reader cannot follow the file's structure (a broken xref, an unsupported
   * filter on an object stream), files up to this size are loaded whole and signed in memory;
   * larger ones are refused with UnsignablePdfError. Default 128 MiB.
   */
  maxInMemoryFallbackBytes?: number;
}

/** What signPdfDetailed says, for a signed PDF written to a file instead of returned. */
export interface SignedPdfFile extends Omit<SignedPdf, 'pdf'> {
  path: string;
  /** Bytes of the signed file. */
  size: number;
  /** SHA-256 of the signed file, hex. */
  sha256: string;
  /** The lazy reader could not follow the file, which was signed in memory instead (and why). */
  inMemoryFallback?: string;
}

export const DEFAULT_IN_MEMORY_FALLBACK_BYTES = 128 * 1024 * 1024;

/**
 * signPdfDetailed from file to file, with memory that does not grow with the file: the document
 * is read lazily (xref, catalog, first page, form — never the page contents), the original is
 * copied to `outputPath` in chunks while one SHA-256 pass over it serves both the signature
 * digest and the output's hash, and the signed update is appended. Same update, byte for byte,
 * as signPdfDetailed builds for the same input, time, key and timestamp. `outputPath` is
 * created or truncated, and removed again when signing fails.
 */
export async function signPdfFile(inputPath: string, outputPath: string, identity: SigningIdentity, opts: SignPdfFileOptions): Promise<SignedPdfFile> {
  assertValidAt(identity, opts.signingTime);
  if (path.resolve(inputPath) === path.resolve(outputPath)) throw new Error('signPdfFile needs an output path other than its input');
  const input = await fsp.open(inputPath, 'r');
  try {
    const { size } = await input.stat();
    let built: SignatureUpdate;
    try {
      const reader = PdfFileReader.open(input.fd, size);
      built = buildSignatureUpdate(fileSignTarget(reader), opts, CMS_CAPACITY_BYTES, widgetFor(opts));
    } catch (err) {
      if (!(err instanceof PdfUnreadableError)) throw err;
      // The lazy reader could not make sense of the file; pdf-lib's full parse is more forgiving
      // (it scans objects instead of trusting the xref), at the price of memory in the file's size.
      const limit = opts.maxInMemoryFallbackBytes ?? DEFAULT_IN_MEMORY_FALLBACK_BYTES;
      if (size > limit) throw new UnsignablePdfError(`the PDF cannot be read incrementally (${err.message}) and is too large (${size} bytes) to load whole`);
      const { pdf, next, ...result } = await signPdfDetailed(await input.readFile(), identity, opts);
      void next; // the file is what later updates continue
      await fsp.writeFile(outputPath, pdf);
      const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
      return { ...result, path: outputPath, size: pdf.length, sha256, inMemoryFallback: err.message };
    }
    return await writeSigned(input, size, outputPath, built, identity, opts);
  } finally {
    await input.close();
  }
}

async function writeSigned(
  input: fsp.FileHandle, size: number, outputPath: string, built: SignatureUpdate, identity: SigningIdentity, opts: SignPdfOptions,
): Promise<SignedPdfFile> {
  const { update, byteRange } = built;
  const output = await fsp.open(outputPath, 'w');
  try {
    const hash = crypto.createHash('sha256');
    await copyAndHash(input, output, size, hash);
    const whole = hash.copy();
    // The byte ranges: the original and the update up to '<' of /Contents, then after its '>'.
    hash.update(update.subarray(0, byteRange[1] - size)).update(update.subarray(byteRange[2] - size));
    const { cms, ...result } = await signatureOver(hash.digest(), identity, opts, built.capacity);
    update.write(cms.toString('hex'), built.contentsOffset - size, 'latin1');
    await writeAll(output, update);
    await output.close();
    return { ...result, cms, path: outputPath, size: size + update.length, sha256: whole.update(update).digest('hex') };
  } catch (err) {
    await output.close().catch(() => undefined);
    await fsp.rm(outputPath, { force: true });
    throw err;
  }
}
