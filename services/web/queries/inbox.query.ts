import type { Queryable } from '../../db/pool';
import { givenToSql } from '../../domain/handling/handling.repository';

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
