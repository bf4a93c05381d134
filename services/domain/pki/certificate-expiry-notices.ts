import type { Queryable } from '../../db/pool';
import { notifyNotice, type AgencyNotice } from '../notices/agency-notices';

/** How far ahead an expiring signing certificate is flagged. */
export const EXPIRY_WARNING_DAYS = 30;

/**
 * Leaves a notice for each agency whose newest valid signing certificate expires within 30 days
 * (at most one a week per agency): the agency's administrator reads it, the admin page lists the
 * same certificates, and the agency's administrator and văn thư find it in their notification
 * centre. The sweeper calls it. Returns how many notices were written.
 */
export async function noteExpiringCertificates(db: Queryable): Promise<number> {
  const r = await db.query<AgencyNotice>(
    `INSERT INTO agency_notices (agency_code, kind, message)
     SELECT c.agency_code, 'certificate_expiring',
            'Chứng thư số ký văn bản của cơ quan hết hạn ngày ' || to_char(c.not_after AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY')
            || ' (còn ' || greatest(0, floor(extract(epoch FROM (c.not_after - now())) / 86400))::int || ' ngày). '
            || 'Hãy nhập chứng thư mới (lienthong pki import --agency ' || c.agency_code || ') trước ngày đó, nếu không văn bản sẽ bị từ chối khi gửi.'
       FROM (SELECT agency_code, max(not_after) AS not_after FROM agency_certificates
              WHERE revoked_at IS NULL AND not_before <= now() AND not_after > now() GROUP BY agency_code) c
      WHERE c.not_after < now() + make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM agency_notices n WHERE n.agency_code = c.agency_code AND n.kind = 'certificate_expiring'
                          AND n.created_at > now() - interval '7 days')
     RETURNING id::text, agency_code AS "agencyCode", kind, document_id AS "documentId", message, created_at AS "createdAt"`,
    [EXPIRY_WARNING_DAYS],
  );
  for (const notice of r.rows) await notifyNotice(db, notice);
  return r.rowCount ?? 0;
}
