import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { keyIdentifierFromSpki, readCertificateFields } from '../../asn1/cert-fields';
import {
  bitString, children, contextTag, decodeAt, decodeOid, decodeTime, DerError, DerNode, derNull, expectChildren, generalizedTime, octetString, oid, sequence, Tag, tlv,
} from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { signatureAlgorithm } from '../../asn1/signature-algorithms';
import { signatureAlgorithmFor } from '../x509-builder';
import { serialKey } from './crl';

// OCSP (RFC 6960): a request for one certificate, the basic response read and checked (signed by
// the issuing CA or by a responder it delegated with id-kp-OCSPSigning), and the development CA's
// responses built.

export interface CertId {
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** Hex of the serial INTEGER content, sign byte removed. */
  serial: string;
}

export type OcspCertStatus = { status: 'good' } | { status: 'revoked'; revokedAt: Date } | { status: 'unknown' };

export interface OcspAnswer {
  certStatus: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate: Date | null;
  producedAt: Date;
}

export class OcspError extends Error {
  override name = 'OcspError';
}

const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();
const ENUMERATED = 0x0a;

export function certIdOf(cert: X509Certificate, issuer: X509Certificate): CertId {
  const fields = readCertificateFields(cert.raw);
  const issuerFields = readCertificateFields(issuer.raw);
  return {
    issuerNameHash: sha1(issuerFields.subject),
    issuerKeyHash: keyIdentifierFromSpki(issuerFields.subjectPublicKeyInfo),
    serial: serialKey(decodeAt(fields.serial).content),
  };
}

function encodeCertId(id: CertId): Buffer {
  return sequence(sequence(oid(OID.sha1), derNull()), octetString(id.issuerNameHash), octetString(id.issuerKeyHash), tlv(Tag.INTEGER, serialBytes(id.serial)));
}

function serialBytes(hex: string): Buffer {
  const b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
}

function decodeCertId(node: DerNode | undefined): CertId {
  const [, nameHash, keyHash, serial] = expectChildren(node, Tag.SEQUENCE, 'CertID');
  if (!nameHash || !keyHash || serial?.tag !== Tag.INTEGER) throw new OcspError('CertID is incomplete');
  return { issuerNameHash: nameHash.content, issuerKeyHash: keyHash.content, serial: serialKey(serial.content) };
}

const sameId = (a: CertId, b: CertId): boolean => a.issuerNameHash.equals(b.issuerNameHash) && a.issuerKeyHash.equals(b.issuerKeyHash) && a.serial === b.serial;

export function encodeOcspRequest(id: CertId): Buffer {
  return sequence(sequence(sequence(sequence(encodeCertId(id)))));
}

export function decodeOcspRequest(der: Buffer): CertId[] {
  const [tbs] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'OCSPRequest');
  const parts = expectChildren(tbs, Tag.SEQUENCE, 'TBSRequest');
  const list = parts.find((p) => p.tag === Tag.SEQUENCE);
  return expectChildren(list, Tag.SEQUENCE, 'requestList').map((req) => decodeCertId(children(req)[0]));
}

/** Reads a response for `id` and checks its signature against `issuer` (or a delegated responder). */
export function readOcspResponse(der: Buffer, id: CertId, issuer: X509Certificate): OcspAnswer {
  const [status, bytes] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'OCSPResponse');
  if (status?.tag !== ENUMERATED || status.content[0] !== 0) throw new OcspError(`the responder answered status ${status?.content[0] ?? '?'}`);
  const [inner] = expectChildren(bytes, 0xa0, 'responseBytes');
  const [type, octets] = expectChildren(inner, Tag.SEQUENCE, 'ResponseBytes');
  if (decodeOid(type) !== OID.ocspBasic || !octets) throw new OcspError('not a basic OCSP response');
  const [tbs, alg, sig, certs] = expectChildren(decodeAt(octets.content), Tag.SEQUENCE, 'BasicOCSPResponse');
  if (!tbs || !alg || sig?.tag !== Tag.BIT_STRING) throw new OcspError('BasicOCSPResponse is incomplete');
  const algorithm = signatureAlgorithm(decodeOid(children(alg)[0]), null, 'sha256');
  const signers = [issuer];
  if (certs) {
    for (const c of children(children(certs)[0]!)) {
      const delegate = new X509Certificate(c.raw);
      if (delegate.checkIssued(issuer) && delegate.verify(issuer.publicKey) && (delegate.keyUsage ?? []).includes(OID.kpOcspSigning)) signers.push(delegate);
    }
  }
  if (!signers.some((s) => algorithm.verify(tbs.raw, s.publicKey, sig.content.subarray(1)))) throw new OcspError('the OCSP response signature does not verify');
  const fields = children(tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  i++; // responderID
  const producedAt = decodeTime(fields[i++]);
  for (const single of expectChildren(fields[i], Tag.SEQUENCE, 'responses')) {
    const [certId, certStatus, thisUpdate, next] = children(single);
    if (!sameId(decodeCertId(certId), id)) continue;
    let answer: OcspCertStatus;
    if (certStatus?.tag === 0x80) answer = { status: 'good' };
    else if (certStatus?.tag === 0xa1) answer = { status: 'revoked', revokedAt: decodeTime(children(certStatus)[0]) };
    else answer = { status: 'unknown' };
    const nextUpdate = next?.tag === 0xa0 ? decodeTime(children(next)[0]) : null;
    return { certStatus: answer, thisUpdate: decodeTime(thisUpdate), nextUpdate, producedAt };
  }
  throw new OcspError('the response does not answer for this certificate');
}

/**
 * GeneralizedTime without fractional seconds: RFC 6960 §4.2.2.1 takes its times from RFC 5280
 * §4.1.2.5.2, which forbids fractions, and NSS (poppler's pdfsig, Firefox) refuses a response
 * that carries them ("Unknown issue with Certificate or corrupted data"), where openssl accepts it.
 */
const ocspTime = (d: Date): Buffer => generalizedTime(new Date(Math.floor(d.getTime() / 1000) * 1000));

/** A successful basic response signed by the CA itself (responderID byName). */
export function buildOcspResponse(
  ca: { keyPem: string; certPem: string },
  answers: { id: CertId; status: OcspCertStatus }[],
  now: Date,
  validForMs: number,
): Buffer {
  const key = createPrivateKey(ca.keyPem);
  const caCert = new X509Certificate(ca.certPem);
  const single = answers.map(({ id, status }) =>
    sequence(
      encodeCertId(id),
      status.status === 'good' ? Buffer.from([0x80, 0]) : status.status === 'revoked' ? tlv(0xa1, ocspTime(status.revokedAt)) : Buffer.from([0x82, 0]),
      ocspTime(now),
      contextTag(0, ocspTime(new Date(now.getTime() + validForMs))),
    ),
  );
  const tbs = sequence(contextTag(1, readCertificateFields(caCert.raw).subject), ocspTime(now), sequence(...single));
  const algorithm = signatureAlgorithmFor(key);
  const basic = sequence(tbs, algorithm, bitString(sign('sha256', tbs, key)));
  return sequence(tlv(ENUMERATED, Buffer.from([0])), contextTag(0, sequence(oid(OID.ocspBasic), octetString(basic))));
}

/** An error response (malformedRequest 1, unauthorized 6). */
export const ocspErrorResponse = (code: 1 | 6): Buffer => sequence(tlv(ENUMERATED, Buffer.from([code])));

export { DerError };
