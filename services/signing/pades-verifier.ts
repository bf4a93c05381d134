import { createHash, verify, X509Certificate } from 'node:crypto';
import { nameAttribute, readCertificateFields } from './cert-fields';
import { parseSignedData, ParsedSignerInfo } from './cms-parser';
import { children, decodeAt, decodeOid, Tag } from './der';
import { DIGEST_BY_OID, OID } from './oids';
import type { ByteRange } from './pdf-placeholder';
import { findSignatures, FoundSignature } from './pdf-signature-scan';

export { findSignatures } from './pdf-signature-scan';
export type { FoundSignature } from './pdf-signature-scan';

// Verifies what a receiving agency needs to know about each signature: the bytes are the signed
// bytes, the signature is by the certificate it names, and that certificate chains to a root we
// trust at the claimed signing time. No revocation checking yet (no OCSP/CRL in B-B).

export interface SignatureReport {
  byteRange: ByteRange | null;
  /** The range starts at 0, leaves out exactly /Contents and ends at EOF: nothing was appended since. */
  coversWholeDocument: boolean;
  digestMatches: boolean;
  signatureValid: boolean;
  signerCommonName: string | null;
  /** /M of the signature dictionary (claimed, not timestamped). */
  signingTime: Date | null;
  chainTrusted: boolean;
  subFilter: string | null;
  hasSigningTimeAttr: boolean;
  hasSigningCertificateV2: boolean;
  /** The ESSCertIDv2 hash names the certificate that actually signed. */
  signingCertificateV2Matches: boolean;
  reason: string | null;
  location: string | null;
  signerName: string | null;
  /** Why any of the checks above is false, in plain sentences. */
  problems: string[];
}

const MAX_CHAIN = 8;

const SIGNATURE_HASH: Readonly<Record<string, string | null>> = {
  [OID.rsaEncryption]: null, // hash comes from digestAlgorithm
  [OID.ecPublicKey]: null,
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};

function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(cert.validTo).getTime();
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/** Walks issuer links through the CMS certificates until a trust anchor has signed (or is) the certificate. */
function chainsToAnchor(signer: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): string | null {
  let current = signer;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, at)) return `certificate "${current.subject.replace(/\n/g, ', ')}" is not valid at the signing time`;
    if (anchors.some((a) => a.raw.equals(current.raw))) return null;
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) return validAt(anchor, at) ? null : 'the trust anchor is not valid at the signing time';
    const next = pool.find((c) => !c.raw.equals(current.raw) && issuedBy(current, c));
    if (!next) return 'the certificate chain does not lead to a trusted root';
    current = next;
  }
  return 'the certificate chain is too long';
}

function rangeProblem(pdf: Buffer, sig: FoundSignature): string | null {
  const r = sig.byteRange;
  if (!r) return 'the signature has no valid /ByteRange';
  const [a, b, c, d] = r;
  if (a !== 0 || c < b || c + d > pdf.length) return `/ByteRange [${r.join(' ')}] is outside the file`;
  return null;
}

function matchesSid(fields: ReturnType<typeof readCertificateFields>, sid: ParsedSignerInfo['sid']): boolean {
  if ('issuer' in sid) return fields.issuer.equals(sid.issuer) && fields.serial.equals(sid.serial);
  const ski = fields.extensions.get(OID.subjectKeyIdentifier);
  return !!ski && decodeAt(ski).content.equals(sid.subjectKeyIdentifier);
}

/** Hash algorithm and value of the first ESSCertIDv2 (SHA-256 when the DEFAULT is omitted). */
function signingCertificateV2Hash(signer: ParsedSignerInfo): { hash: string; value: Buffer } | null {
  const [value] = signer.attributes.get(OID.signingCertificateV2) ?? [];
  if (!value) return null;
  try {
    const [certs] = children(value);
    const [first] = certs ? children(certs) : [];
    const parts = first ? children(first) : [];
    const hash = parts[0]?.tag === Tag.SEQUENCE ? DIGEST_BY_OID[decodeOid(children(parts[0])[0])] : 'sha256';
    const certHash = parts.find((p) => p.tag === Tag.OCTET_STRING);
    return hash && certHash ? { hash, value: certHash.content } : null;
  } catch {
    return null;
  }
}

function emptyReport(sig: FoundSignature): SignatureReport {
  return {
    byteRange: sig.byteRange, coversWholeDocument: false, digestMatches: false, signatureValid: false,
    signerCommonName: null, signingTime: sig.signingTime, chainTrusted: false, subFilter: sig.subFilter,
    hasSigningTimeAttr: false, hasSigningCertificateV2: false, signingCertificateV2Matches: false,
    reason: sig.reason, location: sig.location, signerName: sig.signerName, problems: [],
  };
}

/** Fills `report` check by check; it returns early when a later check cannot be made. */
function verifyInto(report: SignatureReport, pdf: Buffer, sig: FoundSignature, anchors: X509Certificate[]): void {
  const { problems } = report;
  const badRange = rangeProblem(pdf, sig);
  if (badRange || !sig.byteRange) {
    problems.push(badRange ?? 'no /ByteRange');
    return;
  }
  const [a, b, c, d] = sig.byteRange;
  const gapIsContents = !!sig.contentsSpan && sig.contentsSpan[0] === a + b && sig.contentsSpan[1] === c;
  if (!gapIsContents) problems.push('/ByteRange leaves out more (or other) bytes than the /Contents string');
  report.coversWholeDocument = gapIsContents && c + d === pdf.length;

  let signer: ParsedSignerInfo;
  let certificates: Buffer[];
  try {
    ({ signer, certificates } = parseSignedData(sig.contents));
  } catch (err) {
    problems.push(`the CMS in /Contents cannot be parsed: ${(err as Error).message}`);
    return;
  }
  report.hasSigningTimeAttr = signer.attributes.has(OID.signingTime);
  report.hasSigningCertificateV2 = signer.attributes.has(OID.signingCertificateV2);

  const digestName = DIGEST_BY_OID[signer.digestAlgorithm];
  if (!digestName || !signer.signedAttributes) {
    problems.push(digestName ? 'the CMS has no signed attributes' : `unsupported digest algorithm ${signer.digestAlgorithm}`);
    return;
  }
  const digest = createHash(digestName).update(pdf.subarray(a, a + b)).update(pdf.subarray(c, c + d)).digest();
  const [messageDigest] = signer.attributes.get(OID.messageDigest) ?? [];
  report.digestMatches = messageDigest?.tag === Tag.OCTET_STRING && messageDigest.content.equals(digest);
  if (!report.digestMatches) problems.push('the signed bytes were changed: their digest differs from the signed message-digest');

  const signerDer = certificates.find((der) => matchesSid(readCertificateFields(der), signer.sid));
  if (!signerDer) {
    problems.push('the CMS does not contain the signer certificate');
    return;
  }
  const signerCert = new X509Certificate(signerDer);
  report.signerCommonName = nameAttribute(readCertificateFields(signerDer).subject, OID.commonName);

  const implied = SIGNATURE_HASH[signer.signatureAlgorithm];
  if (implied === undefined) {
    problems.push(`unsupported signature algorithm ${signer.signatureAlgorithm}`);
  } else {
    try {
      report.signatureValid = verify(implied ?? digestName, signer.signedAttributes, signerCert.publicKey, signer.signature);
    } catch (err) {
      problems.push(`the signature value cannot be checked: ${(err as Error).message}`);
    }
    if (!report.signatureValid) problems.push('the signature value does not verify with the signer certificate');
  }

  const essHash = signingCertificateV2Hash(signer);
  report.signingCertificateV2Matches = !!essHash && createHash(essHash.hash).update(signerDer).digest().equals(essHash.value);
  if (report.hasSigningCertificateV2 && !report.signingCertificateV2Matches) {
    problems.push('signing-certificate-v2 does not identify the signer certificate');
  }

  const pool = certificates.map((der) => new X509Certificate(der));
  const chainProblem = chainsToAnchor(signerCert, pool, anchors, sig.signingTime ?? new Date());
  report.chainTrusted = chainProblem === null;
  if (chainProblem) problems.push(chainProblem);
}

/** One report per signature dictionary, oldest first. Never throws for a bad signature: it reports it. */
export async function verifyPdfSignatures(pdf: Uint8Array, trustAnchorsDer: Buffer[]): Promise<SignatureReport[]> {
  const buf = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const anchors = trustAnchorsDer.map((der) => new X509Certificate(der));
  return findSignatures(buf).map((sig) => {
    const report = emptyReport(sig);
    try {
      verifyInto(report, buf, sig, anchors);
    } catch (err) {
      // a malformed certificate or attribute inside an attacker-supplied CMS
      report.problems.push(`the signature could not be fully checked: ${(err as Error).message}`);
    }
    return report;
  });
}
