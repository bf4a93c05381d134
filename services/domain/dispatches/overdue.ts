import type { Queryable } from '../../db/pool';

/**
 * "Quá hạn" has ONE definition: the SQL function overdue_reason (migration 0042), over the facts
 * of the view dispatch_deadline_facts, with working days and holidays from public_holidays
 * (next_working_day, 0041). The API, the web pages, the leader's dashboard, the reminders and the
 * on-time figures all use it, so a copy marked overdue anywhere is late everywhere.
 *
 * - `not_registered`: the copy arrived and no 03 (registration, số đến) came by the end of the
 *   next working day after its arrival (Vietnam time);
 * - `not_completed`: its deadline — the one the leader set, else the document's due date — has
 *   ended without 06.
 * Closed copies (completed, refused, revoked, failed, paper) are never overdue.
 */
export type OverdueReason = 'not_registered' | 'not_completed';

/** A SQL expression: the overdue reason of dispatch `x` at `$now` (a placeholder given by the caller). */
export function overdueSql(dispatchAlias: string, nowParam: string): string {
  return `dispatch_overdue(${dispatchAlias}.id, ${nowParam})`;
}

/** The reason one dispatch is overdue at `now`, or null. */
export async function overdueOf(db: Queryable, dispatchId: string, now = new Date()): Promise<OverdueReason | null> {
  const r = await db.query<{ reason: OverdueReason | null }>(`SELECT dispatch_overdue($1, $2) AS reason`, [dispatchId, now]);
  return r.rows[0]?.reason ?? null;
}

/** The rule on given facts (tests and tools): the same SQL function. */
export async function overdueReason(
  db: Queryable,
  f: { status: string; channel: string | null; arrivedAt: Date | null; registeredAt: Date | null; dueOn: string | null; completedAt: Date | null },
  now: Date,
): Promise<OverdueReason | null> {
  const r = await db.query<{ reason: OverdueReason | null }>(`SELECT overdue_reason($1, $2, $3, $4, $5::date, $6, $7) AS reason`, [
    f.status,
    f.channel,
    f.arrivedAt,
    f.registeredAt,
    f.dueOn,
    f.completedAt,
    now,
  ]);
  return r.rows[0]?.reason ?? null;
}

export interface OverdueItem {
  dispatchId: string;
  documentId: string;
  number: string;
  notation: string;
  subject: string;
  recipient: string;
  recipientName: string;
  reason: OverdueReason;
  dueOn: string | null;
  sentAt: string;
}

/** The sender's overdue dispatches (open copies only; the rule decides). */
export async function listOverdue(db: Queryable, sender: string, now = new Date(), limit = 1000): Promise<OverdueItem[]> {
  const r = await db.query(
    `SELECT * FROM (
       SELECT x.id AS "dispatchId", d.id AS "documentId", d.number, d.notation, d.subject, x.recipient_code AS recipient,
              a.name AS "recipientName", f.due_on::text AS "dueOn", x.created_at AS "sentAt",
              overdue_reason(f.status, f.channel, f.arrived_at, f.registered_at, f.due_on, f.completed_at, $3) AS reason
         FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = x.recipient_code
         JOIN dispatch_deadline_facts f ON f.dispatch_id = x.id
        WHERE d.sender_code = $1 AND x.status <> ALL($2::text[])) o
      WHERE o.reason IS NOT NULL ORDER BY o."sentAt", o."dispatchId" LIMIT $4`,
    [sender, ['completed', 'revoked', 'failed', 'refused', 'paper'], now, limit],
  );
  return r.rows.map((row) => ({ ...row, sentAt: new Date(row.sentAt).toISOString() }));
}
