import type { Queryable } from '../../db/pool';
import { loadHolidays } from '../../stats/stats.repository';
import { addDays, vnDay, vnStartOf } from '../../stats/periods';
import { nextWorkingDay } from '../../stats/working-days';

export type OverdueReason = 'not_acknowledged' | 'not_completed';

/** What deciding needs about one dispatch: select it with OVERDUE_FACTS_SQL. */
export interface OverdueFacts {
  status: string;
  channel: string | null;
  /** The clock start: the dispatch row, written when the sender handed the document over. */
  sentAt: Date;
  /** The first 01 and the first 06 on the timeline. */
  acknowledgedAt: Date | null;
  completedAt: Date | null;
  dueOn: string | null;
}

/**
 * The facts, as SQL columns over `x` = dispatches and `d` = documents. The clock and the two
 * events are the ones the on-time figures use (services/stats/on-time.query.ts), so a dispatch
 * shown overdue here is one those figures count as late.
 */
export const OVERDUE_FACTS_SQL = `json_build_object('status', x.status, 'channel', x.channel, 'sentAt', x.created_at, 'dueOn', d.due_on,
  'acknowledgedAt', (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '01'),
  'completedAt', (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06')) AS "overdueFacts"`;

/** The JSON column above (timestamps arrive as strings) → facts. */
export function factsOf(json: Record<string, string | null>): OverdueFacts {
  return {
    status: json.status!,
    channel: json.channel ?? null,
    sentAt: new Date(json.sentAt!),
    acknowledgedAt: json.acknowledgedAt ? new Date(json.acknowledgedAt) : null,
    completedAt: json.completedAt ? new Date(json.completedAt) : null,
    dueOn: json.dueOn ?? null,
  };
}

// Copies nobody can act on any more, or that never travel electronically (a paper recipient
// cannot post statuses): never overdue.
const CLOSED = new Set(['completed', 'revoked', 'failed', 'refused', 'paper']);

/**
 * Overdue is a state to act on: a deadline has passed and the status it waits for has still not
 * come. Acknowledgement (01) is due by the end of the next working day after sending (Vietnam
 * time, public holidays skipped: the same nextWorkingDay as the on-time figures); completion (06)
 * by the end of the document's due date. A status that came late ends the overdue state; the
 * on-time figures keep the lateness.
 */
export function overdueReason(f: OverdueFacts, now: Date, holidays: ReadonlySet<string>): OverdueReason | null {
  if (CLOSED.has(f.status) || f.channel === 'paper') return null;
  const ackDeadline = vnStartOf(addDays(nextWorkingDay(vnDay(f.sentAt), holidays), 1));
  if (!f.acknowledgedAt && now >= ackDeadline) return 'not_acknowledged';
  if (f.dueOn && !f.completedAt && now >= vnStartOf(addDays(f.dueOn, 1))) return 'not_completed';
  return null;
}

/** The holidays that can matter for dispatches sent on these days (Tết is the longest break). */
export async function holidaysAround(db: Queryable, sent: Date[]): Promise<Set<string>> {
  if (sent.length === 0) return new Set();
  const days = sent.map(vnDay).sort();
  return loadHolidays(db, days[0]!, addDays(days[days.length - 1]!, 45));
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

/**
 * The sender's overdue dispatches. SQL keeps only candidates (open, a status missing, sent before
 * yesterday in UTC so the earliest possible deadline may have passed); the rule above decides.
 */
export async function listOverdue(db: Queryable, sender: string, now = new Date(), limit = 1000): Promise<OverdueItem[]> {
  const r = await db.query(
    `SELECT x.id AS "dispatchId", d.id AS "documentId", d.number, d.notation, d.subject, x.recipient_code AS recipient,
            a.name AS "recipientName", ${OVERDUE_FACTS_SQL}
       FROM dispatches x JOIN documents d ON d.id = x.document_id JOIN agencies a ON a.code = x.recipient_code
      WHERE d.sender_code = $1 AND x.status <> ALL($2::text[]) AND x.channel IS DISTINCT FROM 'paper'
        AND x.created_at < $3::timestamptz - interval '1 day'
        AND (NOT EXISTS (SELECT 1 FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '01')
             OR (d.due_on < ($3::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                 AND NOT EXISTS (SELECT 1 FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06')))
      ORDER BY x.created_at, x.id LIMIT $4`,
    [sender, [...CLOSED], now, limit],
  );
  const holidays = await holidaysAround(db, r.rows.map((row) => factsOf(row.overdueFacts).sentAt));
  const out: OverdueItem[] = [];
  for (const row of r.rows) {
    const facts = factsOf(row.overdueFacts);
    const reason = overdueReason(facts, now, holidays);
    if (!reason) continue;
    out.push({
      dispatchId: row.dispatchId,
      documentId: row.documentId,
      number: row.number,
      notation: row.notation,
      subject: row.subject,
      recipient: row.recipient,
      recipientName: row.recipientName,
      reason,
      dueOn: facts.dueOn,
      sentAt: facts.sentAt.toISOString(),
    });
  }
  return out;
}
