import { randomUUID, X509Certificate } from 'node:crypto';
import type { Queryable } from '../../db/pool';

export interface StoredCertificate {
  id: string;
  agencyCode: string;
  certPem: string;
  chainPem: string[];
  keySealed: string;
  notBefore: Date;
  notAfter: Date;
}

export async function addAgencyCertificate(db: Queryable, agencyCode: string, certPem: string, chainPem: string[], keySealed: string): Promise<string> {
  const cert = new X509Certificate(certPem);
  const id = randomUUID();
  await db.query(
    `INSERT INTO agency_certificates (id, agency_code, cert_pem, chain_pem, key_sealed, not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, agencyCode, certPem, chainPem, keySealed, new Date(cert.validFrom), new Date(cert.validTo)],
  );
  return id;
}

/** Rollover: the newest certificate that is valid now signs; older ones stay for verification. */
export async function currentCertificate(db: Queryable, agencyCode: string): Promise<StoredCertificate | undefined> {
  const r = await db.query<StoredCertificate>(
    `SELECT id, agency_code AS "agencyCode", cert_pem AS "certPem", chain_pem AS "chainPem", key_sealed AS "keySealed",
            not_before AS "notBefore", not_after AS "notAfter"
       FROM agency_certificates
      WHERE agency_code = $1 AND revoked_at IS NULL AND not_before <= now() AND not_after > now()
      ORDER BY not_before DESC, created_at DESC LIMIT 1`,
    [agencyCode],
  );
  return r.rows[0];
}

export async function devCa(db: Queryable): Promise<{ certPem: string; keySealed: string } | undefined> {
  const r = await db.query(`SELECT cert_pem AS "certPem", key_sealed AS "keySealed" FROM trust_anchors WHERE is_dev_ca`);
  return r.rows[0];
}

export async function saveDevCa(db: Queryable, certPem: string, keySealed: string): Promise<void> {
  await db.query(
    `INSERT INTO trust_anchors (id, label, cert_pem, key_sealed, is_dev_ca, purpose) VALUES ($1, 'development CA', $2, $3, true, 'both')
     ON CONFLICT DO NOTHING`,
    [randomUUID(), certPem, keySealed],
  );
}

/** What a trust anchor is trusted for: signer certificates, timestamp authorities, or both. */
export type TrustPurpose = 'signing' | 'tsa' | 'both';

/** Anchors trusted for `purpose` (every anchor when omitted). */
export async function trustAnchorsPem(db: Queryable, purpose?: 'signing' | 'tsa'): Promise<string[]> {
  const r = await db.query<{ cert_pem: string }>(
    `SELECT cert_pem FROM trust_anchors WHERE $1::text IS NULL OR purpose = $1 OR purpose = 'both' ORDER BY created_at`, [purpose ?? null]);
  return r.rows.map((x) => x.cert_pem);
}

export interface TrustAnchorRow {
  id: string;
  label: string;
  certPem: string;
  purpose: TrustPurpose;
  isDevCa: boolean;
  createdAt: Date;
}

export async function listTrustAnchors(db: Queryable): Promise<TrustAnchorRow[]> {
  const r = await db.query<TrustAnchorRow>(
    `SELECT id, label, cert_pem AS "certPem", purpose, is_dev_ca AS "isDevCa", created_at AS "createdAt" FROM trust_anchors ORDER BY created_at`);
  return r.rows;
}

/** Removes an operator-added anchor; the development CA stays (it signs the demo certificates). */
export async function removeTrustAnchor(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM trust_anchors WHERE id = $1 AND NOT is_dev_ca`, [id]);
  return (r.rowCount ?? 0) > 0;
}

export interface CertificateListing {
  id: string;
  agencyCode: string;
  certPem: string;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Every certificate, newest first per agency, including revoked and expired ones (the operator must see them). */
export async function listCertificates(db: Queryable, agencyCode?: string): Promise<CertificateListing[]> {
  const r = await db.query<CertificateListing>(
    `SELECT id, agency_code AS "agencyCode", cert_pem AS "certPem", not_before AS "notBefore", not_after AS "notAfter",
            created_at AS "createdAt", revoked_at AS "revokedAt"
       FROM agency_certificates
      WHERE $1::text IS NULL OR agency_code = $1
      ORDER BY agency_code, not_before DESC, created_at DESC`,
    [agencyCode ?? null],
  );
  return r.rows;
}

/** Marks the certificate revoked so it never signs again; false when there is no such active certificate. */
export async function revokeCertificate(db: Queryable, id: string): Promise<{ agencyCode: string } | undefined> {
  const r = await db.query<{ agencyCode: string }>(
    `UPDATE agency_certificates SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING agency_code AS "agencyCode"`,
    [id],
  );
  return r.rows[0];
}

/** Adds a verification trust anchor; the same certificate twice is one anchor. */
export async function addTrustAnchor(db: Queryable, label: string, certPem: string, purpose: TrustPurpose = 'signing'): Promise<{ id: string; added: boolean }> {
  const der = new X509Certificate(certPem).raw;
  const existing = await db.query<{ id: string; cert_pem: string; purpose: TrustPurpose }>(`SELECT id, cert_pem, purpose FROM trust_anchors`);
  const same = existing.rows.find((row) => new X509Certificate(row.cert_pem).raw.equals(der));
  if (same) {
    // the same certificate added for another purpose widens it to both
    if (same.purpose !== purpose && same.purpose !== 'both') await db.query(`UPDATE trust_anchors SET purpose = 'both' WHERE id = $1`, [same.id]);
    return { id: same.id, added: false };
  }
  const id = randomUUID();
  await db.query(`INSERT INTO trust_anchors (id, label, cert_pem, purpose) VALUES ($1, $2, $3, $4)`, [id, label, certPem, purpose]);
  return { id, added: true };
}
