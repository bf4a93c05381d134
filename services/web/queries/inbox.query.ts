import type { Queryable } from '../../db/pool';
import { givenToSql } from '../../domain/handling/handling.repository';

export interface InboxFilters {
  q?: string | undefined;
  sender?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: string | undefined;
  lateOnly?: boolean;
  /** The handling stage (incoming_handling.stage), e.g. 'submitted' for the leader's queue. */
  stage?: string | undefined;
  /** Unit heads and specialists: only copies given to their department or to them. */
  givenTo?: { userId: string; departmentId: string | null } | undefined;
}

export interface InboxRow {
  dispatchId: string;
  documentId: string;
  sender: string;
  senderName: string;
  documentType: string;
  number: string;
  notation: string;
  subject: string;
  urgency: string;
  dueOn: string | null;
  issuedOn: string;
  status: string;
  incomingNumber: string | null;
  deliveredAt: Date;
  /** Overdue by the one rule (services/domain/dispatches/overdue.ts). */
  late: boolean;
  /** The leader's deadline, else the document's due date. */
  deadlineOn: string | null;
  /** The handling stage after registration (null before). */
  stage: string | null;
  /** Only from findIncoming: a sender's take-back (13) awaiting an answer. */
  pendingRequest?: string | null;
  /** A revoked (thu hồi) copy stays in the inbox, marked, with the sender's reason and time (issue 16). */
  revokedAt: Date | null;
  revokeReason: string | null;
}

/**
 * The web inbox: what listInbox (inbox-list.ts) returns, plus the fields a clerk filters on (number, subject,
 * sender, delivery date, status) and the due-date mark. Always scoped by the acting agency.
 */
export async function searchInbox(db: Queryable, agency: string, f: InboxFilters, limit = 100): Promise<InboxRow[]> {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const r = await db.query(
    `SELECT x.id AS "dispatchId", d.id AS "documentId", d.sender_code AS sender, a.name AS "senderName",
            d.document_type AS "documentType", d.number, d.notation, d.subject, d.urgency, d.due_on AS "dueOn",
            d.issued_on AS "issuedOn", x.status, x.incoming_number AS "incomingNumber", x.delivered_at AS "deliveredAt",
            (dispatch_overdue(x.id, now()) IS NOT NULL) AS late, COALESCE(h.deadline_on, d.due_on)::text AS "deadlineOn", h.stage
       FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = d.sender_code LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
      WHERE x.recipient_code = $1 AND x.delivered_at IS NOT NULL AND x.status <> 'revoked'
        AND ($2::text IS NULL OR d.subject ILIKE $2 OR d.notation ILIKE $2 OR (d.number || '/' || d.notation) ILIKE $2
             OR d.number = $7 OR x.incoming_number = $7)
        AND ($3::text IS NULL OR d.sender_code = $3 OR a.name ILIKE '%' || $3 || '%')
        AND ($4::date IS NULL OR x.delivered_at >= ($4::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
        AND ($5::date IS NULL OR x.delivered_at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
        AND ($6::text IS NULL OR x.status = $6)
        AND (NOT $8::boolean OR dispatch_overdue(x.id, now()) IS NOT NULL)
        AND ($10::uuid IS NULL OR ${givenToSql('$10', '$11')})
        AND ($12::text IS NULL OR h.stage = $12)
      ORDER BY x.delivered_at DESC, x.id DESC LIMIT $9`,
    [agency, like, f.sender || null, f.from || null, f.to || null, f.status || null, f.q ?? null, f.lateOnly ?? false, limit, f.givenTo?.userId ?? null, f.givenTo?.departmentId ?? null, f.stage ?? null],
  );
  return r.rows;
}

/** One incoming copy as the recipient sees it; undefined when it is not this agency's. */
export async function findIncoming(db: Queryable, agency: string, dispatchId: string): Promise<InboxRow | undefined> {
  const r = await db.query(
    `SELECT x.id AS "dispatchId", d.id AS "documentId", d.sender_code AS sender, a.name AS "senderName",
            d.document_type AS "documentType", d.number, d.notation, d.subject, d.urgency, d.due_on AS "dueOn",
            d.issued_on AS "issuedOn", x.status, x.incoming_number AS "incomingNumber", x.delivered_at AS "deliveredAt", x.pending_request AS "pendingRequest",
            d.revoked_at AS "revokedAt", d.revoke_reason AS "revokeReason",
            (dispatch_overdue(x.id, now()) IS NOT NULL) AS late, COALESCE(h.deadline_on, d.due_on)::text AS "deadlineOn", h.stage
       FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = d.sender_code LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
      WHERE x.id = $2 AND x.recipient_code = $1 AND x.delivered_at IS NOT NULL`,
    [agency, dispatchId],
  );
  return r.rows[0];
}
