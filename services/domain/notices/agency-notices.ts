import type { Queryable } from '../../db/pool';
import { notifyAgencyRole } from '../notifications/notify';

/** What an agency is told about its own sending (issue 16), kept in agency_notices. */
export type AgencyNoticeKind = 'delivery_failing' | 'certificate_expiring';

export interface AgencyNotice {
  id: string;
  agencyCode: string;
  kind: AgencyNoticeKind;
  documentId: string | null;
  message: string;
  createdAt: Date;
}

/**
 * Who hears of a notice and where it leads: a failing delivery goes to the agency's văn thư (who
 * sent it) and its administrator, opening the document; an expiring certificate to its
 * administrator (who imports the next one) and its văn thư (whose sending stops with it).
 */
const AUDIENCE: Record<AgencyNoticeKind, { roles: string[]; link: (n: AgencyNotice) => string; urgent: boolean }> = {
  delivery_failing: { roles: ['clerk', 'admin'], link: (n) => (n.documentId ? `/outbox/${n.documentId}` : '/outbox'), urgent: true },
  certificate_expiring: { roles: ['admin', 'clerk'], link: () => '/admin#certs', urgent: false },
};

/** Puts a notice into the notification centre of the agency's people (once per notice and user). */
export async function notifyNotice(db: Queryable, n: AgencyNotice): Promise<number> {
  const a = AUDIENCE[n.kind];
  return notifyAgencyRole(db, n.agencyCode, a.roles, { kind: n.kind, title: n.message, link: a.link(n), urgent: a.urgent, dedupeKey: `notice:${n.id}` });
}

/** The agency's notices of the last `days` days, newest first (its outbox and admin pages show them). */
export async function recentNotices(db: Queryable, agencyCode: string, days = 30, limit = 20): Promise<AgencyNotice[]> {
  const r = await db.query<AgencyNotice>(
    `SELECT id::text, agency_code AS "agencyCode", kind, document_id AS "documentId", message, created_at AS "createdAt"
       FROM agency_notices WHERE agency_code = $1 AND created_at > now() - make_interval(days => $2)
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [agencyCode, days, limit],
  );
  return r.rows;
}
