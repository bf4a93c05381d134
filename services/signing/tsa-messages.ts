import {
  bitString, boolean, children, decodeAt, decodeOid, decodeSmallInteger, DerError, DerNode, expectChildren, octetString, oid,
  sequence, Tag, unsignedInteger, utf8String,
} from '../asn1/der';
import { DIGEST_BY_OID, DigestName, OID_BY_DIGEST } from '../asn1/oids';

// RFC 3161 §2.4 request and response messages, both directions (client and development TSA).

export interface TimestampRequest {
  hashAlgorithm: DigestName | null;
  hashAlgorithmOid: string;
  digest: Buffer;
  /** The MessageImprint TLV exactly as received: the token must echo it. */
  imprintRaw: Buffer;
  policy: string | null;
  /** The nonce INTEGER TLV as received, echoed verbatim. */
  nonceRaw: Buffer | null;
  certReq: boolean;
  hasExtensions: boolean;
}

export const PkiStatus = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5 } as const;

/** PKIFailureInfo bit numbers. */
export const FailureInfo = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, unacceptedExtension: 16, systemFailure: 25 } as const;

export function encodeTimestampRequest(digest: Buffer, hash: DigestName, nonce: Buffer, policy?: string): Buffer {
  return sequence(
    unsignedInteger(1),
    sequence(sequence(oid(OID_BY_DIGEST[hash])), octetString(digest)),
    ...(policy ? [oid(policy)] : []),
    unsignedInteger(nonce),
    boolean(true), // certReq: PAdES verifiers need the TSA certificate inside the token
  );
}

export function decodeTimestampRequest(der: Buffer): TimestampRequest {
  const root = decodeAt(der);
  if (root.raw.length !== der.length) throw new DerError('trailing bytes after the TimeStampReq');
  const [version, imprint, ...rest] = expectChildren(root, Tag.SEQUENCE, 'TimeStampReq');
  if (decodeSmallInteger(version) !== 1) throw new DerError('TimeStampReq version must be 1');
  const [alg, hashed] = expectChildren(imprint, Tag.SEQUENCE, 'MessageImprint');
  const [algOid] = expectChildren(alg, Tag.SEQUENCE, 'hashAlgorithm');
  if (!hashed || hashed.tag !== Tag.OCTET_STRING || !imprint) throw new DerError('MessageImprint has no hashedMessage');
  const hashAlgorithmOid = decodeOid(algOid);
  const policy = rest.find((n) => n.tag === Tag.OID);
  const certReq = rest.find((n) => n.tag === Tag.BOOLEAN);
  return {
    hashAlgorithm: DIGEST_BY_OID[hashAlgorithmOid] ?? null,
    hashAlgorithmOid,
    digest: hashed.content,
    imprintRaw: imprint.raw,
    policy: policy ? decodeOid(policy) : null,
    nonceRaw: rest.find((n) => n.tag === Tag.INTEGER)?.raw ?? null,
    certReq: certReq?.content[0] === 0xff,
    hasExtensions: rest.some((n) => n.tag === 0xa0),
  };
}

/** Named-bit BIT STRING with trailing zero bits dropped, as DER requires. */
function failureBits(bit: number): Buffer {
  const bytes = Buffer.alloc(Math.floor(bit / 8) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  return bitString(bytes, 7 - (bit & 7));
}

export function encodeGrantedResponse(token: Buffer): Buffer {
  return sequence(sequence(unsignedInteger(PkiStatus.granted)), token);
}

export function encodeRejection(failInfoBit: number, text: string): Buffer {
  return sequence(sequence(unsignedInteger(PkiStatus.rejection), sequence(utf8String(text)), failureBits(failInfoBit)));
}

export interface TimestampResponse {
  status: number;
  statusText: string | null;
  token: Buffer | null;
}

export function decodeTimestampResponse(der: Buffer): TimestampResponse {
  const [statusInfo, token] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'TimeStampResp');
  const [status, ...more] = expectChildren(statusInfo, Tag.SEQUENCE, 'PKIStatusInfo');
  const freeText = more.find((n) => n.tag === Tag.SEQUENCE);
  const texts = freeText ? children(freeText).map((n: DerNode) => n.content.toString('utf8')) : [];
  return { status: decodeSmallInteger(status), statusText: texts.length ? texts.join('; ') : null, token: token?.raw ?? null };
}
