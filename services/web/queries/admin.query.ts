import type { Queryable } from '../../db/pool';

export interface CertificateExpiry {
  agencyCode: string;
  agencyName: string;
  notAfter: Date;
  daysLeft: number;
}

/** Each agency's newest unrevoked signing certificate, soonest expiry first. */
export async function certificateExpiries(db: Queryable): Promise<CertificateExpiry[]> {
  const r = await db.query(
    `SELECT DISTINCT ON (c.agency_code) c.agency_code AS "agencyCode", a.name AS "agencyName", c.not_after AS "notAfter",
            floor(extract(epoch FROM (c.not_after - now())) / 86400)::int AS "daysLeft"
       FROM agency_certificates c JOIN agencies a ON a.code = c.agency_code
      WHERE c.revoked_at IS NULL
      ORDER BY c.agency_code, c.not_after DESC`,
  );
  return (r.rows as CertificateExpiry[]).sort((x, y) => x.daysLeft - y.daysLeft);
}
