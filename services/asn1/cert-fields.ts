import { createHash } from 'node:crypto';
import { children, decodeAt, decodeOid, decodeString, DerError, DerNode, expectChildren, Tag } from './der';
import { OID } from './oids';

/** Raw slices of an X.509 certificate that CMS and certificate issuance need byte-for-byte. */
export interface CertificateFields {
  /** INTEGER TLV, exactly as encoded in the certificate. */
  serial: Buffer;
  /** Name TLVs, exactly as encoded. */
  issuer: Buffer;
  subject: Buffer;
  subjectPublicKeyInfo: Buffer;
  extensions: Map<string, Buffer /* extnValue contents */>;
  /** OIDs of the extensions marked critical. */
  critical: Set<string>;
}

export function readCertificateFields(der: Buffer): CertificateFields {
  const [tbs] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'Certificate');
  const fields = expectChildren(tbs, Tag.SEQUENCE, 'TBSCertificate');
  // version is [0] EXPLICIT and optional (absent means v1)
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[base];
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  const spki = fields[base + 5];
  if (!serial || !issuer || !subject || !spki) throw new DerError('TBSCertificate is missing fields');
  const extensions = new Map<string, Buffer>();
  const critical = new Set<string>();
  const extWrapper = fields.slice(base + 6).find((f) => f.tag === 0xa3);
  if (extWrapper) {
    const [list] = children(extWrapper);
    for (const ext of expectChildren(list, Tag.SEQUENCE, 'Extensions')) {
      const parts = children(ext);
      const value = parts[parts.length - 1];
      if (value?.tag === Tag.OCTET_STRING) extensions.set(decodeOid(parts[0]), value.content);
      if (parts[1]?.tag === Tag.BOOLEAN && parts[1].content[0] !== 0) critical.add(decodeOid(parts[0]));
    }
  }
  return { serial: serial.raw, issuer: issuer.raw, subject: subject.raw, subjectPublicKeyInfo: spki.raw, extensions, critical };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value (without the unused-bits byte). */
export function keyIdentifierFromSpki(spkiDer: Buffer): Buffer {
  const [, bits] = expectChildren(decodeAt(spkiDer), Tag.SEQUENCE, 'SubjectPublicKeyInfo');
  if (!bits || bits.tag !== Tag.BIT_STRING) throw new DerError('SubjectPublicKeyInfo has no public key');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

/** The certificate's subjectKeyIdentifier, or one computed from its key when the extension is absent. */
export function subjectKeyIdentifier(fields: CertificateFields): Buffer {
  const ext = fields.extensions.get(OID.subjectKeyIdentifier);
  if (ext) {
    const node = decodeAt(ext);
    if (node.tag === Tag.OCTET_STRING) return node.content;
  }
  return keyIdentifierFromSpki(fields.subjectPublicKeyInfo);
}

/** First value of an attribute type in a Name, decoded (UTF-8, BMP and printable strings). */
export function nameAttribute(nameDer: Buffer, attributeOid: string): string | null {
  for (const rdn of expectChildren(decodeAt(nameDer), Tag.SEQUENCE, 'Name')) {
    for (const atv of children(rdn)) {
      const [type, value]: (DerNode | undefined)[] = children(atv);
      if (value && decodeOid(type) === attributeOid) return decodeString(value);
    }
  }
  return null;
}
