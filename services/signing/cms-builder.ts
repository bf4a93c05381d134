import { createHash, KeyObject, sign } from 'node:crypto';
import { readCertificateFields } from '../asn1/cert-fields';
import { contextTag, derNull, octetString, oid, sequence, setOf, tlv, unsignedInteger } from '../asn1/der';
import { OID } from '../asn1/oids';

// CMS SignedData for PAdES baseline B-B (ETSI EN 319 142-1 §6.3, EN 319 122-1):
// detached id-data, signed attributes content-type, message-digest and signing-certificate-v2,
// and deliberately no signing-time attribute — in PAdES the claimed time lives in the
// signature dictionary's /M, and the standard forbids the CMS attribute.

const sha256Algorithm = (): Buffer => sequence(oid(OID.sha256));

function attribute(type: string, value: Buffer): Buffer {
  return sequence(oid(type), setOf([value]));
}

/** RFC 5035 SigningCertificateV2 with one ESSCertIDv2 (SHA-256 is the DEFAULT, so it is omitted). */
function signingCertificateV2(certificate: Buffer): Buffer {
  const { issuer, serial } = readCertificateFields(certificate);
  const certHash = createHash('sha256').update(certificate).digest();
  // IssuerSerial: GeneralNames { directoryName [4] EXPLICIT Name }, serial
  const issuerSerial = sequence(sequence(tlv(0xa4, issuer)), serial);
  return sequence(sequence(sequence(octetString(certHash), issuerSerial)));
}

/**
 * The SET OF signed attributes, DER-encoded with the universal SET tag: that exact encoding is
 * what the signature covers (RFC 5652 §5.4), while SignerInfo carries it under [0] IMPLICIT.
 */
export function buildSignedAttributes(contentDigest: Buffer, certificate: Buffer, contentType: string = OID.data): Buffer {
  return setOf([
    attribute(OID.contentType, oid(contentType)),
    attribute(OID.messageDigest, octetString(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(certificate)),
  ]);
}

function signatureAlgorithm(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    // rsaEncryption with a separate SHA-256 digestAlgorithm is the form every CMS verifier
    // (NSS in pdfsig, OpenSSL, Adobe) accepts; RFC 5754 §3.2 allows it.
    case 'rsa':
      return sequence(oid(OID.rsaEncryption), derNull());
    case 'ec':
      return sequence(oid(OID.ecdsaWithSHA256));
    default:
      throw new Error(`unsupported signing key type: ${String(key.asymmetricKeyType)}`);
  }
}

export interface SignerInfoParts {
  signedAttributes: Buffer;
  signature: Buffer;
}

/** Step one: sign the attributes. The signature timestamp (B-T) is requested over `signature`. */
export function signAttributes(contentDigest: Buffer, certificate: Buffer, privateKey: KeyObject, contentType: string = OID.data): SignerInfoParts {
  const signedAttributes = buildSignedAttributes(contentDigest, certificate, contentType);
  return { signedAttributes, signature: sign('sha256', signedAttributes, privateKey) };
}

export interface SignedDataInput extends SignerInfoParts {
  certificate: Buffer;
  chain: Buffer[];
  privateKey: KeyObject;
  /** Complete Attribute encodings, e.g. an id-aa-timeStampToken from an RFC 3161 TSA. */
  unsignedAttributes?: Buffer[];
  /** Encapsulated content (a TSA's TSTInfo); absent for PAdES, whose content is detached. */
  encapsulated?: { type: string; content: Buffer };
  /** A TSA asked without certReq must leave the certificates out (RFC 3161 §2.4.1). */
  omitCertificates?: boolean;
}

/** A complete unsigned Attribute carrying an RFC 3161 token (id-aa-signatureTimeStampToken). */
export function timestampAttribute(token: Buffer): Buffer {
  return attribute(OID.timeStampToken, token);
}

/** Step two: wrap everything into ContentInfo { signedData }. */
export function encodeSignedData(input: SignedDataInput): Buffer {
  const { issuer, serial } = readCertificateFields(input.certificate);
  const signedAttrsImplicit = Buffer.from(input.signedAttributes);
  signedAttrsImplicit[0] = 0xa0; // [0] IMPLICIT SET OF Attribute
  const unsigned = input.unsignedAttributes?.length ? [contextTag(1, ...[...input.unsignedAttributes].sort(Buffer.compare))] : [];
  const signerInfo = sequence(
    unsignedInteger(1),
    sequence(issuer, serial), // IssuerAndSerialNumber, so version 1
    sha256Algorithm(),
    signedAttrsImplicit,
    signatureAlgorithm(input.privateKey),
    octetString(input.signature),
    ...unsigned,
  );
  const encap = input.encapsulated;
  const signedData = sequence(
    // RFC 5652 §5.1: version 3 when the content type is not id-data
    unsignedInteger(encap && encap.type !== OID.data ? 3 : 1),
    setOf([sha256Algorithm()]),
    encap ? sequence(oid(encap.type), contextTag(0, octetString(encap.content))) : sequence(oid(OID.data)),
    ...(input.omitCertificates ? [] : [contextTag(0, input.certificate, ...input.chain)]),
    setOf([signerInfo]),
  );
  return sequence(oid(OID.signedData), contextTag(0, signedData));
}
