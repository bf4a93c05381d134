import { createHash, X509Certificate } from 'node:crypto';
import { readCertificateFields } from '../asn1/cert-fields';
import type { ParsedSignedData, ParsedSignerInfo } from './cms-parser';
import { children, decodeAt, decodeOid, Tag } from '../asn1/der';
import { DIGEST_BY_OID, DigestName, OID } from '../asn1/oids';
import { signatureAlgorithm, SignatureAlgorithm } from '../asn1/signature-algorithms';

// The checks every CMS SignedData gets, whether it signs PDF byte ranges or a TSA's TSTInfo:
// the content digest, the signature value, and the ESS identification of the signer certificate.

export interface SignerCheck {
  digestName: DigestName | null;
  /** The content digest equals the signed message-digest attribute. */
  digestMatches: boolean;
  signatureValid: boolean;
  signerDer: Buffer | null;
  signerCert: X509Certificate | null;
  hasSigningCertificateV2: boolean;
  /** The ESSCertID(v2) hash names the certificate that actually signed. */
  essCertIdMatches: boolean;
  /** e.g. "RSA/SHA-256"; null when the algorithm is not supported. */
  algorithm: SignatureAlgorithm | null;
}

function matchesSid(der: Buffer, sid: ParsedSignerInfo['sid']): boolean {
  const fields = readCertificateFields(der);
  if ('issuer' in sid) return fields.issuer.equals(sid.issuer) && fields.serial.equals(sid.serial);
  const ski = fields.extensions.get(OID.subjectKeyIdentifier);
  return !!ski && decodeAt(ski).content.equals(sid.subjectKeyIdentifier);
}

/** Hash algorithm and value of the first ESSCertIDv2 (SHA-256 when the DEFAULT is omitted) or ESSCertID (SHA-1). */
function essCertId(signer: ParsedSignerInfo): { hash: DigestName; value: Buffer } | null {
  const [v2] = signer.attributes.get(OID.signingCertificateV2) ?? [];
  const [v1] = signer.attributes.get(OID.signingCertificate) ?? [];
  const value = v2 ?? v1;
  if (!value) return null;
  try {
    const [certs] = children(value);
    const [first] = certs ? children(certs) : [];
    const parts = first ? children(first) : [];
    const hash = !v2 ? 'sha1' : parts[0]?.tag === Tag.SEQUENCE ? DIGEST_BY_OID[decodeOid(children(parts[0])[0])] : 'sha256';
    const certHash = parts.find((p) => p.tag === Tag.OCTET_STRING);
    return hash && certHash ? { hash, value: certHash.content } : null;
  } catch {
    return null;
  }
}

function digestOf(name: DigestName, content: Buffer[]): Buffer {
  const h = createHash(name);
  for (const chunk of content) h.update(chunk);
  return h.digest();
}

/** Runs every check it can, appending a sentence to `problems` for each one that fails. */
export function checkSigner(parsed: ParsedSignedData, content: Buffer[], problems: string[]): SignerCheck {
  const { signer, certificates } = parsed;
  const result: SignerCheck = {
    digestName: DIGEST_BY_OID[signer.digestAlgorithm] ?? null, digestMatches: false, signatureValid: false,
    signerDer: null, signerCert: null, hasSigningCertificateV2: signer.attributes.has(OID.signingCertificateV2), essCertIdMatches: false, algorithm: null,
  };
  const digestName = result.digestName;
  if (!digestName) {
    problems.push(`unsupported digest algorithm ${signer.digestAlgorithm}`);
    return result;
  }
  if (signer.signedAttributes) {
    const [messageDigest] = signer.attributes.get(OID.messageDigest) ?? [];
    result.digestMatches = messageDigest?.tag === Tag.OCTET_STRING && messageDigest.content.equals(digestOf(digestName, content));
    if (!result.digestMatches) problems.push('the signed bytes were changed: their digest differs from the signed message-digest');
  }

  result.signerDer = certificates.find((der) => matchesSid(der, signer.sid)) ?? null;
  if (!result.signerDer) {
    problems.push('the CMS does not contain the signer certificate');
    return result;
  }
  const signerCert = new X509Certificate(result.signerDer);
  result.signerCert = signerCert;

  try {
    result.algorithm = signatureAlgorithm(signer.signatureAlgorithm, signer.signatureAlgorithmParams, digestName);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (result.algorithm) {
    const alg = result.algorithm;
    try {
      if (signer.signedAttributes) {
        result.signatureValid = alg.verify(signer.signedAttributes, signerCert.publicKey, signer.signature);
      } else {
        // RFC 5652 §5.4: without signed attributes the signature covers the content itself.
        result.signatureValid = alg.verify(Buffer.concat(content), signerCert.publicKey, signer.signature);
        result.digestMatches = result.signatureValid;
        if (!result.signatureValid) problems.push('the signed bytes were changed or the signature is not by this certificate');
      }
    } catch (err) {
      problems.push(`the signature value cannot be checked: ${(err as Error).message}`);
    }
    if (!result.signatureValid && signer.signedAttributes) problems.push('the signature value does not verify with the signer certificate');
  }

  const ess = essCertId(signer);
  result.essCertIdMatches = !!ess && createHash(ess.hash).update(result.signerDer).digest().equals(ess.value);
  if (ess && !result.essCertIdMatches) problems.push('the signing-certificate attribute does not identify the signer certificate');
  return result;
}
