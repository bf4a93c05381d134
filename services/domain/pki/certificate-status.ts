import { X509Certificate } from 'node:crypto';
import type { CertificateListing } from './agency-certificate.repository';

// What `lienthong pki list` shows: one line per certificate with the state an operator acts on.

export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export type CertificateState = 'active' | 'expiring' | 'expired' | 'revoked' | 'not-yet-valid';

export interface CertificateStatus {
  id: string;
  agencyCode: string;
  subject: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  state: CertificateState;
  /** The one that signs for the agency now (the newest valid, not revoked). */
  current: boolean;
  warning?: string;
}

function stateOf(row: CertificateListing, now: Date, daysLeft: number): CertificateState {
  if (row.revokedAt) return 'revoked';
  if (row.notAfter.getTime() <= now.getTime()) return 'expired';
  if (row.notBefore.getTime() > now.getTime()) return 'not-yet-valid';
  return daysLeft < EXPIRY_WARNING_DAYS ? 'expiring' : 'active';
}

/** `rows` in repository order (per agency, newest first), so the first signable one is current. */
export function describeCertificates(rows: CertificateListing[], now = new Date()): CertificateStatus[] {
  const currentOf = new Map<string, string>();
  return rows.map((row) => {
    const cert = new X509Certificate(row.certPem);
    const daysLeft = Math.floor((row.notAfter.getTime() - now.getTime()) / DAY_MS);
    const state = stateOf(row, now, daysLeft);
    const signable = state === 'active' || state === 'expiring';
    if (signable && !currentOf.has(row.agencyCode)) currentOf.set(row.agencyCode, row.id);
    const current = currentOf.get(row.agencyCode) === row.id;
    const warning = state === 'expiring' ? `WARNING: expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}` : undefined;
    return {
      id: row.id, agencyCode: row.agencyCode, subject: cert.subject.replace(/\n/g, ', '), serial: cert.serialNumber,
      notBefore: row.notBefore.toISOString(), notAfter: row.notAfter.toISOString(), daysLeft, state, current,
      ...(warning ? { warning } : {}),
    };
  });
}
