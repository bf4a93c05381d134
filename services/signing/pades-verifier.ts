import { X509Certificate } from 'node:crypto';
import { nameAttribute, readCertificateFields } from './cert-fields';
import { chainProblem } from './certificate-chain';
import { parseSignedData, ParsedSignedData } from './cms-parser';
import { checkSigner } from './cms-signer-check';
import { OID } from './oids';
import type { ByteRange } from './pdf-placeholder';
import { findSignatures, FoundSignature } from './pdf-signature-scan';
import { TimestampReport, verifyTimestampToken } from './timestamp-token';

export { findSignatures } from './pdf-signature-scan';
export type { FoundSignature } from './pdf-signature-scan';
export type { TimestampReport } from './timestamp-token';

// Verifies what a receiving agency needs to know about each signature: the bytes are the signed
// bytes, the signature is by the certificate it names, and that certificate chains to a root we
// trust at the signing time — the time of a valid signature timestamp (B-T) when there is one,
// else the claimed /M. No revocation checking yet (no OCSP/CRL).

export interface SignatureReport {
  /** A signer's signature, or a document timestamp (/SubFilter /ETSI.RFC3161) vouching for the bytes. */
  kind: 'signature' | 'document-timestamp';
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
  /** The RFC 3161 signature timestamp (B-T), or for a document timestamp the token itself; null when absent. */
  timestamp: TimestampReport | null;
  reason: string | null;
  location: string | null;
  signerName: string | null;
  /** Why any of the checks above is false, in plain sentences. */
  problems: string[];
}

function rangeProblem(pdf: Buffer, sig: FoundSignature): string | null {
  const r = sig.byteRange;
  if (!r) return 'the signature has no valid /ByteRange';
  const [a, b, c, d] = r;
  if (a !== 0 || c < b || c + d > pdf.length) return `/ByteRange [${r.join(' ')}] is outside the file`;
  return null;
}

function emptyReport(sig: FoundSignature): SignatureReport {
  return {
    kind: sig.subFilter === 'ETSI.RFC3161' ? 'document-timestamp' : 'signature',
    byteRange: sig.byteRange, coversWholeDocument: false, digestMatches: false, signatureValid: false,
    signerCommonName: null, signingTime: sig.signingTime, chainTrusted: false, subFilter: sig.subFilter,
    hasSigningTimeAttr: false, hasSigningCertificateV2: false, signingCertificateV2Matches: false, timestamp: null,
    reason: sig.reason, location: sig.location, signerName: sig.signerName, problems: [],
  };
}

/** A document timestamp is a bare RFC 3161 token whose imprint covers the byte ranges. */
function verifyDocumentTimestamp(report: SignatureReport, token: Buffer, signed: Buffer[], anchors: X509Certificate[]): void {
  const ts = verifyTimestampToken(token, signed, anchors);
  report.timestamp = ts;
  report.digestMatches = ts.imprintMatches;
  report.signatureValid = ts.signatureValid;
  report.chainTrusted = ts.trusted;
  report.signerCommonName = ts.tsaName;
  report.signingTime = ts.time ?? report.signingTime;
  report.problems.push(...ts.problems);
}

function signatureTimestamp(parsed: ParsedSignedData, anchors: X509Certificate[]): TimestampReport | null {
  const [token] = parsed.signer.unsignedAttributes.get(OID.timeStampToken) ?? [];
  return token ? verifyTimestampToken(token.raw, [parsed.signer.signature], anchors) : null;
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
  const signed = [pdf.subarray(a, a + b), pdf.subarray(c, c + d)];

  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(sig.contents);
  } catch (err) {
    problems.push(`the CMS in /Contents cannot be parsed: ${(err as Error).message}`);
    return;
  }
  // The CMS, not the /SubFilter a producer wrote, decides what this is.
  if (parsed.encapContentType === OID.tstInfo) {
    report.kind = 'document-timestamp';
    verifyDocumentTimestamp(report, sig.contents, signed, anchors);
    return;
  }
  if (report.kind === 'document-timestamp') {
    problems.push('/SubFilter says ETSI.RFC3161 but /Contents is not a timestamp token');
    return;
  }
  report.hasSigningTimeAttr = parsed.signer.attributes.has(OID.signingTime);

  const check = checkSigner(parsed, signed, problems);
  report.digestMatches = check.digestMatches;
  report.signatureValid = check.signatureValid;
  report.hasSigningCertificateV2 = check.hasSigningCertificateV2;
  report.signingCertificateV2Matches = check.hasSigningCertificateV2 && check.essCertIdMatches;
  if (!check.signerDer || !check.signerCert) return;
  report.signerCommonName = nameAttribute(readCertificateFields(check.signerDer).subject, OID.commonName);

  report.timestamp = signatureTimestamp(parsed, anchors);
  if (report.timestamp) problems.push(...report.timestamp.problems);
  // A valid timestamp proves the signature existed then; without one only the claim /M is left.
  const at = report.timestamp?.valid && report.timestamp.time ? report.timestamp.time : sig.signingTime ?? new Date();
  const pool = parsed.certificates.map((der) => new X509Certificate(der));
  const chain = chainProblem(check.signerCert, pool, anchors, at);
  report.chainTrusted = chain === null;
  if (chain) problems.push(chain);
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
