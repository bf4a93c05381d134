import { X509Certificate } from 'node:crypto';
import { readCertificateFields } from '../asn1/cert-fields';
import { children, decodeAt, decodeSmallInteger, Tag } from '../asn1/der';
import { OID } from '../asn1/oids';

// Certification path building (RFC 5280 §6, simplified): from an end-entity certificate up
// through the certificates at hand until a trust anchor issued (or is) one of them. Validity is
// judged separately at a validation time the caller chooses (a trusted timestamp's time, or now),
// so the same path serves verification now and signing-time augmentation (B-LT) later.

const MAX_PATH = 8;

export interface CertificatePath {
  /** End entity first; the trust anchor last when one was reached. */
  certificates: X509Certificate[];
  anchor: X509Certificate | null;
}

export function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(cert.validTo).getTime();
}

export function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return issuer.ca && child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export const oneLine = (subject: string): string => subject.replace(/\n/g, ', ');

/** The path to an anchor, or as far as the pool leads when none is reached (anchor null). */
export function buildPath(leaf: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[]): CertificatePath {
  const certificates = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    const self = anchors.find((a) => a.raw.equals(current.raw));
    if (self) return { certificates, anchor: self };
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) return { certificates: [...certificates, anchor], anchor };
    const next = pool.find((c) => !certificates.some((x) => x.raw.equals(c.raw)) && issuedBy(current, c));
    if (!next) break;
    certificates.push(next);
    current = next;
  }
  return { certificates, anchor: null };
}

export type PathValidity = { ok: true } | { ok: false; reason: 'expired' | 'not-yet-valid'; certificate: X509Certificate };

/** Every certificate of the path valid at `at` (the trust anchor is trusted as configured, RFC 5280 §6.1.1 d). */
export function pathValidAt(path: CertificatePath, at: Date): PathValidity {
  for (const c of path.certificates) {
    // a root (the anchor, or a self-signed top of an untrusted path) is trusted by configuration, not by its dates
    const top = c === path.certificates[path.certificates.length - 1] && path.certificates.length > 1;
    if (top && (path.anchor ? c.raw.equals(path.anchor.raw) : c.subject === c.issuer)) continue;
    if (at.getTime() < new Date(c.validFrom).getTime()) return { ok: false, reason: 'not-yet-valid', certificate: c };
    if (at.getTime() > new Date(c.validTo).getTime()) return { ok: false, reason: 'expired', certificate: c };
  }
  return { ok: true };
}

/** The issuer of `cert` within the path (the next certificate), or null for the anchor / a broken path. */
export function issuerInPath(path: CertificatePath, cert: X509Certificate): X509Certificate | null {
  const i = path.certificates.findIndex((c) => c.raw.equals(cert.raw));
  const next = i >= 0 ? path.certificates[i + 1] : undefined;
  return next ?? (path.anchor && !path.anchor.raw.equals(cert.raw) && issuedBy(cert, path.anchor) ? path.anchor : null);
}

// ---------------------------------------------------------------- path constraints (RFC 5280)

/** KeyUsage bits (RFC 5280 §4.2.1.3) the checks below need. */
const KU = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5 } as const;

interface Constraints {
  /** The KeyUsage bits set, null when the extension is absent. */
  keyUsage: Set<number> | null;
  /** basicConstraints pathLenConstraint, null when absent. */
  pathLen: number | null;
  /** An extension present but unreadable. */
  unreadable: boolean;
}

function constraintsOf(cert: X509Certificate): Constraints {
  const out: Constraints = { keyUsage: null, pathLen: null, unreadable: false };
  try {
    const { extensions } = readCertificateFields(cert.raw);
    const ku = extensions.get(OID.keyUsage);
    if (ku) {
      const node = decodeAt(ku);
      if (node.tag !== Tag.BIT_STRING || node.content.length === 0) throw new Error('KeyUsage is not a BIT STRING');
      const bits = new Set<number>();
      node.content.subarray(1).forEach((byte, i) => {
        for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits.add(i * 8 + b);
      });
      out.keyUsage = bits;
    }
    const bc = extensions.get(OID.basicConstraints);
    if (bc) {
      const len = children(decodeAt(bc)).find((c) => c.tag === Tag.INTEGER);
      if (len) out.pathLen = decodeSmallInteger(len);
    }
  } catch {
    out.unreadable = true;
  }
  return out;
}

const selfIssued = (c: X509Certificate): boolean => c.subject === c.issuer;

/**
 * Why the path may not be used for a signature, or null when it may (RFC 5280 §4.2.1.3, §4.2.1.9,
 * §6.1.4): the signer's KeyUsage, when present, must allow digitalSignature or nonRepudiation; every
 * issuer's KeyUsage, when present, keyCertSign; and no CA (the trust anchor included) may have
 * more non-self-issued intermediate CA certificates below it than its pathLenConstraint. The
 * answer is a Vietnamese clause naming the certificate.
 */
export function pathConstraintViolation(path: CertificatePath): string | null {
  const certs = path.certificates;
  const [signer] = certs;
  if (!signer) return null;
  const own = constraintsOf(signer);
  if (own.unreadable) return `chứng thư số "${oneLine(signer.subject)}" có phần mở rộng KeyUsage/BasicConstraints không đọc được`;
  if (own.keyUsage && !own.keyUsage.has(KU.digitalSignature) && !own.keyUsage.has(KU.nonRepudiation)) {
    return `chứng thư số "${oneLine(signer.subject)}" không được phép dùng để ký (KeyUsage không có digitalSignature hay nonRepudiation)`;
  }
  for (let i = 1; i < certs.length; i++) {
    const ca = certs[i] as X509Certificate;
    const c = constraintsOf(ca);
    if (c.unreadable) return `chứng thư số CA "${oneLine(ca.subject)}" có phần mở rộng KeyUsage/BasicConstraints không đọc được`;
    if (c.keyUsage && !c.keyUsage.has(KU.keyCertSign)) return `chứng thư số "${oneLine(ca.subject)}" không được phép cấp chứng thư số (KeyUsage không có keyCertSign)`;
    if (c.pathLen !== null) {
      // the intermediate CA certificates between this CA and the signer (the signer itself not counted)
      let below = 0;
      for (let j = 1; j < i; j++) if (!selfIssued(certs[j] as X509Certificate)) below++;
      if (below > c.pathLen) return `chứng thư số CA "${oneLine(ca.subject)}" chỉ cho phép ${c.pathLen} CA trung gian bên dưới (pathLenConstraint) nhưng đường dẫn có ${below}`;
    }
  }
  return null;
}
