import type { Queryable } from '../../db/pool';

export interface FailingDispatch {
  id: string;
  documentId: string;
  number: string;
  notation: string;
  sender: string;
  recipient: string;
  since: Date;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

/** Pushes alerted for failing longer than LIENTHONG_DELIVERY_ALERT_MS and still retrying, longest first. */
export async function failingDispatches(db: Queryable, limit = 200): Promise<FailingDispatch[]> {
  const r = await db.query(
    `SELECT x.id, x.document_id AS "documentId", d.number, d.notation, d.sender_code AS sender, x.recipient_code AS recipient,
            x.budget_started_at AS since, x.attempts, x.last_error AS "lastError", x.next_attempt_at AS "nextAttemptAt"
       FROM dispatches x JOIN documents d ON d.id = x.document_id
      WHERE x.alerted_at IS NOT NULL AND x.status = ANY (lienthong_open_dispatch_statuses())
      ORDER BY x.budget_started_at LIMIT $1`,
    [limit],
  );
  return r.rows;
}
