import type { Queryable } from '../../db/pool';
import { markCopyOpened } from '../dispatches/dispatch.repository';

export type AccessAction = 'opened' | 'downloaded' | 'printed' | 'exported';

export const ACCESS_ACTION_LABELS: Record<AccessAction, string> = {
  opened: 'Mở xem',
  downloaded: 'Tải về',
  printed: 'In',
  exported: 'Xuất danh sách',
};

export interface AccessEntry {
  at: Date;
  actor: string;
  /** The person's name as the agency knows it (users.full_name), else the user name. */
  actorName: string;
  agencyCode: string;
  action: AccessAction;
  detail: string | null;
  documentId: string;
  subject?: string;
  numberNotation?: string;
}

/** Who: a web user by name, or an agency system by its key. */
export interface Accessor {
  agencyCode: string;
  /** `user:<username>` or `key:<id>`. */
  actor: string;
}

/**
 * Records one access. An agency's own opening of a received copy also marks the copy read (the
 * list shows unread copies bold).
 */
export async function recordAccess(db: Queryable, documentId: string, who: Accessor, action: AccessAction, detail: string | null = null): Promise<void> {
  await db.query(`INSERT INTO document_access (document_id, agency_code, actor, action, detail) VALUES ($1, $2, $3, $4, $5)`, [
    documentId,
    who.agencyCode,
    who.actor,
    action,
    detail,
  ]);
  if (action === 'opened') {
    await markCopyOpened(db, documentId, who.agencyCode);
  }
}

const SELECT = `SELECT g.at, g.actor, COALESCE(u.full_name, u.username, g.actor) AS "actorName", g.agency_code AS "agencyCode", g.action, g.detail,
                       g.document_id AS "documentId"`;
const USER_JOIN = `LEFT JOIN users u ON g.actor = 'user:' || u.username`;

/** A document's access history as one agency may see it: its own people's accesses only. */
export async function documentAccess(db: Queryable, documentId: string, agency: string, limit = 200): Promise<AccessEntry[]> {
  const r = await db.query<AccessEntry>(
    `${SELECT} FROM document_access g ${USER_JOIN} WHERE g.document_id = $1 AND g.agency_code = $2 ORDER BY g.at DESC, g.id DESC LIMIT $3`,
    [documentId, agency, limit],
  );
  return r.rows;
}

/** The agency's access history for its administrator, newest first. */
export async function agencyAccess(db: Queryable, agency: string, limit = 500): Promise<AccessEntry[]> {
  const r = await db.query<AccessEntry>(
    `${SELECT}, d.subject, d.number || '/' || d.notation AS "numberNotation"
       FROM document_access g ${USER_JOIN} JOIN documents d ON d.id = g.document_id
      WHERE g.agency_code = $1 ORDER BY g.at DESC, g.id DESC LIMIT $2`,
    [agency, limit],
  );
  return r.rows;
}
