import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { sign } from 'node:crypto';
import { readCertificateFields } from '../../asn1/cert-fields';
import {
  bitString, children, contextTag, decodeAt, decodeOid, decodeTime, DerError, expectChildren, oid, sequence, Tag, tlv, unsignedInteger, x509Time,
} from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { signatureAlgorithm } from '../../asn1/signature-algorithms';
import { signatureAlgorithmFor } from '../x509-builder';

// X.509 certificate revocation lists (RFC 5280 §5): read and checked for verification, and
// issued by the development CA (the same structure both ways).

export interface Crl {
  der: Buffer;
  /** Issuer Name TLV as encoded. */
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial (hex of the INTEGER content) → revocation date. */
  revoked: Map<string, Date>;
  tbs: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
}

export const serialKey = (integerContent: Buffer): string =>
  (integerContent.length > 1 && integerContent[0] === 0 ? integerContent.subarray(1) : integerContent).toString('hex');

export function parseCrl(der: Buffer): Crl {
  const [tbs, alg, sig] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'CertificateList');
  const fields = expectChildren(tbs, Tag.SEQUENCE, 'TBSCertList');
  let i = fields[0]?.tag === Tag.INTEGER ? 1 : 0;
  i++; // signature algorithm
  const issuer = fields[i++];
  const thisUpdate = decodeTime(fields[i++]);
  let nextUpdate: Date | null = null;
  if (fields[i]?.tag === Tag.UTC_TIME || fields[i]?.tag === Tag.GENERALIZED_TIME) nextUpdate = decodeTime(fields[i++]);
  const revoked = new Map<string, Date>();
  if (fields[i]?.tag === Tag.SEQUENCE) {
    for (const entry of children(fields[i++]!)) {
      const [serial, date] = children(entry);
      if (serial?.tag === Tag.INTEGER) revoked.set(serialKey(serial.content), decodeTime(date));
    }
  }
  if (!issuer || !alg || !sig || sig.tag !== Tag.BIT_STRING) throw new DerError('the CRL is incomplete');
  return {
    der, issuer: issuer.raw, thisUpdate, nextUpdate, revoked, tbs: tbs!.raw,
    signatureAlgorithm: decodeOid(children(alg)[0]), signature: sig.content.subarray(1),
  };
}

/** The CRL is by `issuer`: same name and a signature its key verifies. */
export function crlIssuedBy(crl: Crl, issuer: X509Certificate): boolean {
  try {
    if (!readCertificateFields(issuer.raw).subject.equals(crl.issuer)) return false;
    const alg = signatureAlgorithm(crl.signatureAlgorithm, null, 'sha256');
    return alg.verify(crl.tbs, issuer.publicKey, crl.signature);
  } catch {
    return false;
  }
}

export interface RevokedEntry {
  /** Serial INTEGER content (unsigned big-endian). */
  serial: Buffer;
  revokedAt: Date;
}

/** A v2 CRL signed by the CA key, with a CRL number. */
export function buildCrl(ca: { keyPem: string; certPem: string }, entries: RevokedEntry[], thisUpdate: Date, nextUpdate: Date, crlNumber: number): Buffer {
  const key: KeyObject = createPrivateKey(ca.keyPem);
  const issuer = readCertificateFields(new X509Certificate(ca.certPem).raw).subject;
  const algorithm = signatureAlgorithmFor(key);
  const tbs = sequence(
    unsignedInteger(1), // v2
    algorithm,
    issuer,
    x509Time(thisUpdate),
    x509Time(nextUpdate),
    ...(entries.length ? [sequence(...entries.map((e) => sequence(unsignedInteger(e.serial), x509Time(e.revokedAt))))] : []),
    contextTag(0, sequence(sequence(oid(OID.cRLNumber), tlv(Tag.OCTET_STRING, unsignedInteger(crlNumber))))),
  );
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, key)));
}
