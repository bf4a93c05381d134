import { KeyObject, randomBytes, sign } from 'node:crypto';
import {
  bitString, boolean, contextTag, derNull, octetString, oid, printableString, sequence, setOf, tlv,
  unsignedInteger, utf8String, x509Time,
} from '../asn1/der';
import { OID } from '../asn1/oids';

// Certificates are assembled here and signed with Node's crypto, because node-forge can neither
// hold EC keys nor sign quickly; one code path serves RSA and ECDSA alike.

export type NameAttribute = { type: string; value: string };

/** Country is a PrintableString by RFC 5280; everything else UTF8String so Vietnamese survives. */
export function encodeName(attributes: NameAttribute[]): Buffer {
  return sequence(
    ...attributes.map(({ type, value }) =>
      setOf([sequence(oid(type), type === OID.countryName ? printableString(value) : utf8String(value))]),
    ),
  );
}

export function extension(extnId: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(extnId), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** KeyUsage bit positions (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

/** Named-bit BIT STRING: DER drops trailing zero bits, and verifiers reject the non-minimal form. */
export function keyUsageValue(bits: number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return bitString(bytes, 7 - (highest & 7));
}

export function basicConstraintsValue(ca: boolean): Buffer {
  return sequence(...(ca ? [boolean(true)] : []));
}

export function extKeyUsageValue(purposes: string[]): Buffer {
  return sequence(...purposes.map((p) => oid(p)));
}

export const subjectKeyIdentifierValue = (keyId: Buffer): Buffer => octetString(keyId);
export const authorityKeyIdentifierValue = (keyId: Buffer): Buffer => sequence(tlv(0x80, keyId));

/** 16 random bytes, top bit cleared so the INTEGER is positive, never a leading zero byte. */
export function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return bytes;
}

export function signatureAlgorithmFor(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return sequence(oid(OID.sha256WithRSAEncryption), derNull());
    case 'ec':
      return sequence(oid(OID.ecdsaWithSHA256));
    default:
      throw new Error(`unsupported key type for certificate signing: ${String(key.asymmetricKeyType)}`);
  }
}

export interface CertificateTemplate {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Buffer;
  extensions: Buffer[];
}

/** Builds the TBSCertificate, signs it with the issuer's key and returns the certificate DER. */
export function buildCertificate(template: CertificateTemplate, issuerKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithmFor(issuerKey);
  const tbs = sequence(
    contextTag(0, unsignedInteger(2)), // v3
    unsignedInteger(template.serial),
    algorithm,
    template.issuer,
    sequence(x509Time(template.notBefore), x509Time(template.notAfter)),
    template.subject,
    template.subjectPublicKeyInfo,
    contextTag(3, sequence(...template.extensions)),
  );
  const signature = sign('sha256', tbs, issuerKey);
  return sequence(tbs, algorithm, bitString(signature));
}

export function derToPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** All base64 blocks with the given label, in order. */
export function pemBlocks(pem: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}
