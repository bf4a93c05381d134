import { createHash, X509Certificate } from 'node:crypto';
import { nameAttribute, readCertificateFields } from '../asn1/cert-fields';
import { chainProblem } from './certificate-chain';
import { parseSignedData, ParsedSignedData } from './cms-parser';
import { checkSigner } from './cms-signer-check';
import { children, decodeAt, decodeOid, decodeTime, DerError, DerNode, expectChildren, Tag } from '../asn1/der';
import { DIGEST_BY_OID, DigestName, OID } from '../asn1/oids';

// RFC 3161 timestamp tokens: a CMS SignedData whose encapsulated content is a TSTInfo. Used for
// the signature timestamp of PAdES B-T (imprint over the SignerInfo signature value) and for
// document timestamps (/SubFilter /ETSI.RFC3161, imprint over the byte ranges).

export interface TstInfo {
  policy: string;
  imprintAlgorithm: DigestName | null;
  imprint: Buffer;
  /** Hex of the INTEGER's content bytes. */
  serialNumber: string;
  genTime: Date;
  nonce: Buffer | null;
  /** The optional tsa field when it is a directory name: its common name (or organization). */
  tsaName: string | null;
}

export interface TimestampReport {
  time: Date | null;
  /** Who vouches for the time: the token's tsa name, else the TSA certificate's common name. */
  tsaName: string | null;
  policy: string | null;
  serialNumber: string | null;
  /** The token was made over exactly the data it should cover. */
  imprintMatches: boolean;
  signatureValid: boolean;
  /** The TSA certificate chains to a trust anchor at the timestamp's time and is not revoked. */
  trusted: boolean;
  /** Revocation of the TSA certificate's path (checked once it chains to an anchor). */
  tsaRevocation?: { status: 'good' | 'revoked' | 'unknown' | 'not-checked'; revokedAt: Date | null; source: string | null };
  /** imprint, token signature and TSA certificate usage all check out (trust is reported apart). */
  valid: boolean;
  problems: string[];
  /** DER of the TSA certificate and of every certificate the token carries (for path building). */
  tsaCertificate?: Buffer | null;
  certificates?: Buffer[];
}

function nameText(name: DerNode): string | null {
  return nameAttribute(name.raw, OID.commonName) ?? nameAttribute(name.raw, OID.organizationName);
}

export function parseTstInfo(der: Buffer): TstInfo {
  const parts = expectChildren(decodeAt(der), Tag.SEQUENCE, 'TSTInfo');
  const [, policy, imprint, serial, genTime, ...rest] = parts;
  const [alg, hashed] = expectChildren(imprint, Tag.SEQUENCE, 'MessageImprint');
  const [algOid] = expectChildren(alg, Tag.SEQUENCE, 'hashAlgorithm');
  if (!hashed || hashed.tag !== Tag.OCTET_STRING) throw new DerError('MessageImprint has no hashedMessage');
  if (!serial || serial.tag !== Tag.INTEGER) throw new DerError('TSTInfo has no serialNumber');
  const nonce = rest.find((p) => p.tag === Tag.INTEGER);
  const tsa = rest.find((p) => p.tag === 0xa0);
  const general = tsa ? children(tsa)[0] : undefined;
  const directory = general?.tag === 0xa4 ? children(general)[0] : undefined;
  return {
    policy: decodeOid(policy),
    imprintAlgorithm: DIGEST_BY_OID[decodeOid(algOid)] ?? null,
    imprint: hashed.content,
    serialNumber: serialHex(serial.content),
    genTime: decodeTime(genTime),
    nonce: nonce?.content ?? null,
    tsaName: directory ? nameText(directory) : null,
  };
}

/** The TSTInfo of a token, without checking anything else. */
export function readTimestampToken(token: Buffer): { signedData: ParsedSignedData; tstInfo: TstInfo } {
  const signedData = parseSignedData(token);
  if (signedData.encapContentType !== OID.tstInfo || !signedData.encapContent) {
    throw new DerError('the token does not encapsulate a TSTInfo');
  }
  return { signedData, tstInfo: parseTstInfo(signedData.encapContent) };
}

/** RFC 3161 §2.3: the TSA certificate must carry exactly one, critical, extended key usage: timeStamping. */
function timeStampingOnly(cert: X509Certificate): boolean {
  const usage = cert.keyUsage;
  const critical = readCertificateFields(cert.raw).critical.has(OID.extKeyUsage);
  return critical && Array.isArray(usage) && usage.length === 1 && usage[0] === OID.kpTimeStamping;
}

/** The serial as hex without the sign-padding zero byte DER adds before a high bit. */
function serialHex(content: Buffer): string {
  return (content.length > 1 && content[0] === 0 ? content.subarray(1) : content).toString('hex');
}

/**
 * Checks `token` against the data it must cover (given as chunks, hashed with the token's own
 * imprint algorithm). Never throws for a bad token: it reports it.
 */
/** `anchors` null: the TSA's trust is left to the caller (report.trusted stays false, no problem added). */
export function verifyTimestampToken(token: Buffer, covered: Buffer[], anchors: X509Certificate[] | null): TimestampReport {
  const report: TimestampReport = {
    time: null, tsaName: null, policy: null, serialNumber: null, imprintMatches: false, signatureValid: false,
    trusted: false, valid: false, problems: [],
  };
  const { problems } = report;
  try {
    const { signedData, tstInfo } = readTimestampToken(token);
    Object.assign(report, { time: tstInfo.genTime, tsaName: tstInfo.tsaName, policy: tstInfo.policy, serialNumber: tstInfo.serialNumber });
    if (!tstInfo.imprintAlgorithm) {
      problems.push('the timestamp uses an unsupported imprint algorithm');
    } else {
      const h = createHash(tstInfo.imprintAlgorithm);
      for (const chunk of covered) h.update(chunk);
      report.imprintMatches = h.digest().equals(tstInfo.imprint);
      if (!report.imprintMatches) problems.push('the timestamp was made over other data than the one it is attached to');
    }
    const [contentType] = signedData.signer.attributes.get(OID.contentType) ?? [];
    if (contentType && decodeOid(contentType) !== OID.tstInfo) problems.push('the timestamp signs a content type other than TSTInfo');
    const signer = checkSigner(signedData, [signedData.encapContent ?? Buffer.alloc(0)], problems);
    report.signatureValid = signer.digestMatches && signer.signatureValid;
    report.certificates = signedData.certificates;
    report.tsaCertificate = signer.signerDer;
    if (signer.signerCert) {
      report.tsaName ??= nameAttribute(readCertificateFields(signer.signerCert.raw).subject, OID.commonName);
      const usageOk = timeStampingOnly(signer.signerCert);
      if (!usageOk) problems.push('the TSA certificate is not a time-stamping certificate (critical extended key usage timeStamping only)');
      report.valid = report.imprintMatches && report.signatureValid && usageOk;
      if (anchors === null) return report;
      const pool = signedData.certificates.map((der) => new X509Certificate(der));
      const chain = chainProblem(signer.signerCert, pool, anchors, tstInfo.genTime);
      report.trusted = chain === null;
      if (chain) problems.push(`timestamp: ${chain}`);
    }
  } catch (err) {
    problems.push(`the timestamp token cannot be read: ${(err as Error).message}`);
  }
  return report;
}
