import { X509Certificate } from 'node:crypto';
import { buildPath, oneLine, pathConstraintViolation, pathValidAt } from './certificate-path';

export { validAt } from './certificate-path';

/** null when the chain is trusted at `at`, otherwise why not, as a sentence (the timestamp check uses it). */
export function chainProblem(signer: X509Certificate, pool: X509Certificate[], anchors: X509Certificate[], at: Date): string | null {
  const path = buildPath(signer, pool, anchors);
  if (!path.anchor) return `the certificate chain of "${oneLine(signer.subject)}" does not lead to a trusted root`;
  const violation = pathConstraintViolation(path);
  if (violation) return `the certificate chain of "${oneLine(signer.subject)}" breaks its constraints: ${violation}`;
  const validity = pathValidAt(path, at);
  if (validity.ok) return null;
  const c = validity.certificate;
  return `certificate "${oneLine(c.subject)}" is not valid at the validation time ` +
    `(${at.toISOString()}; valid from ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()})`;
}
