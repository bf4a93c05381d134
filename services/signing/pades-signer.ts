import * as crypto from 'node:crypto';
import { pemBlocks } from '../pki/x509-builder';
import { encodeSignedData, signAttributes } from './cms-builder';
import { SignatureTooLargeError, SigningIdentityError } from './errors';
import { addSignaturePlaceholder, ByteRange } from './pdf-placeholder';

export interface SigningIdentity {
  privateKey: crypto.KeyObject;
  /** DER */
  certificate: Buffer;
  /** DER, issuers of `certificate` (intermediates, optionally the root); may be empty. */
  chain: Buffer[];
}

export interface SignPdfOptions {
  /** Written to /M; the CMS carries no signing-time attribute (PAdES baseline). */
  signingTime: Date;
  reason?: string;
  location?: string;
  signerName?: string;
  contactInfo?: string;
}

/**
 * Bytes reserved for the CMS in /Contents (twice as many hex digits). Our own CMS with a
 * two-certificate RSA chain is ~2.5 KB; the rest leaves room for an RFC 3161 timestamp token
 * with its TSA chain when B-T is added.
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
  return { privateKey, certificate, chain };
}

function digestRanges(pdf: Buffer, [a, b, c, d]: ByteRange): Buffer {
  return crypto.createHash('sha256').update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest();
}

/** Signs the first page's new invisible signature field, PAdES B-B, as an incremental update. */
export async function signPdf(pdf: Uint8Array, identity: SigningIdentity, opts: SignPdfOptions): Promise<Buffer> {
  const prepared = await addSignaturePlaceholder(pdf, opts, CMS_CAPACITY_BYTES);
  const digest = digestRanges(prepared.bytes, prepared.byteRange);
  const parts = signAttributes(digest, identity.certificate, identity.privateKey);
  const cms = encodeSignedData({ ...parts, ...identity });
  if (cms.length > prepared.capacity) throw new SignatureTooLargeError(cms.length, prepared.capacity);
  // Only /Contents changes after hashing; it lies outside the byte range by construction.
  prepared.bytes.write(cms.toString('hex'), prepared.contentsOffset, 'latin1');
  return prepared.bytes;
}
