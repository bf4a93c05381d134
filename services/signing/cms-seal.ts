import { createHash, X509Certificate } from 'node:crypto';
import { nameAttribute, readCertificateFields } from '../asn1/cert-fields';
import { chainProblem } from './certificate-chain';
import { encodeSignedData, signAttributes } from './cms-builder';
import { parseSignedData } from './cms-parser';
import { checkSigner } from './cms-signer-check';
import { OID } from '../asn1/oids';
import type { SigningIdentity } from './pades-signer';

// A CMS SignedData "seal" over a small content: the hub's receipts (content attached, so
// `openssl cms -verify` prints it) and the evidence bundle's manifest (detached, ASiC-E style).

/** CMS SignedData (DER) over `content`, id-data, SHA-256, signing-certificate-v2. */
export function sealContent(content: Buffer, identity: SigningIdentity, opts: { detached?: boolean } = {}): Buffer {
  const digest = createHash('sha256').update(content).digest();
  const parts = signAttributes(digest, identity.certificate, identity.privateKey);
  return encodeSignedData({
    ...parts,
    certificate: identity.certificate,
    chain: identity.chain,
    privateKey: identity.privateKey,
    ...(opts.detached ? {} : { encapsulated: { type: OID.data, content } }),
  });
}

export interface SealCheck {
  ok: boolean;
  /** The content: the encapsulated one, or the detached one given. */
  content: Buffer | null;
  signer: string | null;
  /** Certificates the CMS carries (signer and chain), DER. */
  certificates: Buffer[];
  /** The sealed content's digest matches (false: the content changed, or the seal's attributes did). */
  digestMatches: boolean;
  /** The signature over the signed attributes holds (false: the seal itself changed). */
  signatureValid: boolean;
  trusted: boolean;
  problems: string[];
}

/**
 * Verifies a seal with no network: the signature, the content digest, and the signer's chain to
 * one of `anchors` at `at` (revocation is not checked here: the caller reports it).
 */
export function verifySeal(cms: Buffer, anchors: X509Certificate[], at: Date, detachedContent?: Buffer): SealCheck {
  const problems: string[] = [];
  try {
    const parsed = parseSignedData(cms);
    const content = detachedContent ?? parsed.encapContent;
    if (!content) return { ok: false, content: null, signer: null, certificates: parsed.certificates, digestMatches: false, signatureValid: false, trusted: false, problems: ['the seal carries no content'] };
    const signer = checkSigner(parsed, [content], problems);
    let trusted = false;
    if (signer.signerCert) {
      const pool = parsed.certificates.map((der) => new X509Certificate(der));
      const chain = chainProblem(signer.signerCert, pool, anchors, at);
      trusted = chain === null;
      if (chain) problems.push(chain);
    }
    // Bytes the signature does not cover must not be changeable either: the seal must be exactly
    // what sealContent() writes for these parts, and every certificate it carries besides the
    // signer's must be a trust anchor or issued by one (or by another carried certificate).
    if (signer.signerDer && signer.signerCert) {
      const rebuilt = encodeSignedData({
        signedAttributes: parsed.signer.signedAttributes ?? Buffer.alloc(0),
        signature: parsed.signer.signature,
        certificate: signer.signerDer,
        chain: parsed.certificates.filter((c) => !c.equals(signer.signerDer!)),
        privateKey: signer.signerCert.publicKey,
        ...(detachedContent ? {} : { encapsulated: { type: OID.data, content } }),
      });
      if (!rebuilt.equals(cms)) {
        problems.push('the seal was altered outside its signed part (it is not the encoding the hub writes)');
        trusted = false;
      }
      const extra = parsed.certificates.filter((c) => !c.equals(signer.signerDer!)).map((der) => new X509Certificate(der));
      for (const c of extra) {
        const known = anchors.some((a) => a.raw.equals(c.raw)) || [...anchors, ...extra].some((i) => i !== c && c.checkIssued(i) && c.verify(i.publicKey));
        if (!known) {
          problems.push(`a certificate carried by the seal ("${c.subject.replace(/\n/g, ', ')}") is neither a trust anchor nor issued by one: it was altered or does not belong`);
          trusted = false;
        }
      }
    }
    const name = signer.signerDer ? nameAttribute(readCertificateFields(signer.signerDer).subject, OID.commonName) : null;
    return {
      ok: signer.digestMatches && signer.signatureValid && signer.essCertIdMatches && trusted,
      content,
      signer: name,
      certificates: parsed.certificates,
      digestMatches: signer.digestMatches,
      signatureValid: signer.signatureValid,
      trusted,
      problems,
    };
  } catch (err) {
    return { ok: false, content: null, signer: null, certificates: [], digestMatches: false, signatureValid: false, trusted: false, problems: [`the seal cannot be read: ${(err as Error).message}`] };
  }
}
