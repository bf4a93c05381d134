import type { X509Certificate } from 'node:crypto';
import { readCertificateFields } from '../../asn1/cert-fields';
import { children, decodeAt, decodeOid, DerNode } from '../../asn1/der';
import { OID } from '../../asn1/oids';
import { contextTag, oid, sequence, tlv } from '../../asn1/der';

// Where a certificate says its revocation status is published: CRL distribution points
// (RFC 5280 §4.2.1.13) and the OCSP responder of its authority information access (§4.2.2.1).

const URI_TAG = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String

function urisIn(node: DerNode, out: string[], depth = 0): void {
  if (depth > 8) return;
  if (node.tag === URI_TAG) out.push(node.content.toString('latin1'));
  else if (node.tag & 0x20) for (const c of children(node)) urisIn(c, out, depth + 1);
}

const fetchable = (u: string): boolean => /^https?:\/\//i.test(u);

export function crlUrls(cert: X509Certificate): string[] {
  const ext = readCertificateFields(cert.raw).extensions.get(OID.cRLDistributionPoints);
  if (!ext) return [];
  const out: string[] = [];
  urisIn(decodeAt(ext), out);
  return out.filter(fetchable);
}

export function ocspUrls(cert: X509Certificate): string[] {
  const ext = readCertificateFields(cert.raw).extensions.get(OID.authorityInfoAccess);
  if (!ext) return [];
  const out: string[] = [];
  for (const access of children(decodeAt(ext))) {
    const [method, location] = children(access);
    if (method && location && decodeOid(method) === OID.adOcsp && location.tag === URI_TAG) out.push(location.content.toString('latin1'));
  }
  return out.filter(fetchable);
}

/** extnValue of cRLDistributionPoints with one full-name URI (for issuing certificates). */
export function crlDistributionPointsValue(url: string): Buffer {
  return sequence(sequence(contextTag(0, contextTag(0, tlv(URI_TAG, Buffer.from(url, 'latin1'))))));
}

/** extnValue of authorityInfoAccess with one OCSP URI. */
export function ocspAccessValue(url: string): Buffer {
  return sequence(sequence(oid(OID.adOcsp), tlv(URI_TAG, Buffer.from(url, 'latin1'))));
}
