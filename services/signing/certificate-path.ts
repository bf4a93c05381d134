import { X509Certificate } from 'node:crypto';

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
