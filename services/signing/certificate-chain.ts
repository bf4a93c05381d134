import { X509Certificate } from 'node:crypto';

// Path building for verification: from the signer up through the certificates the CMS carries
// until a trust anchor has signed (or is) the certificate. No revocation checking yet (no OCSP/CRL).

const MAX_CHAIN = 8;

export function validAt(cert: X509Certificate, at: Date): boolean {
  return new Date(cert.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(cert.validTo).getTime();
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

const oneLine = (subject: string): string => subject.replace(/\n/g, ', ');

/** null when the chain is trusted at `at`, otherwise why not, as a sentence. */
export function chainProblem(signer: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): string | null {
  let current = signer;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, at)) {
      return `certificate "${oneLine(current.subject)}" is not valid at the signing time ` +
        `(${at.toISOString()}; valid from ${new Date(current.validFrom).toISOString()} to ${new Date(current.validTo).toISOString()})`;
    }
    if (anchors.some((a) => a.raw.equals(current.raw))) return null;
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) return validAt(anchor, at) ? null : 'the trust anchor is not valid at the signing time';
    const next = pool.find((c) => !c.raw.equals(current.raw) && issuedBy(current, c));
    if (!next) return `the certificate chain of "${oneLine(signer.subject)}" does not lead to a trusted root`;
    current = next;
  }
  return 'the certificate chain is too long';
}
