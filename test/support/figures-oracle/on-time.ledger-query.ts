import { LedgerKind } from '../../../contracts';
import type { Queryable } from '../../../services/db/pool';
import { groupKeySql, type FigureScope } from '../../../services/stats/edoc-rate.query';
import { figureQuery } from '../../../services/stats/figure-query';
import type { OnTimeCounts } from '../../../services/stats/on-time.query';

/**
 * The on-time figures read from the copies, their events and the ledger themselves (what
 * figure_on_time_months and figure_copies, migration 0094, keep counted: onTimeByKey reads those, the
 * tests check they agree).
 * Recipient-side timeliness of the copies delivered electronically (latest outcome
 * dispatch_delivered) of documents issued in the period, grouped by issue month/quarter or by
 * recipient — the directive's meaning, with the deadlines of the one overdue rule (migration 0042):
 * a copy counts as received on time ("acknowledged" in the figures) when it was REGISTERED (03,
 * số đến) before the end of the next working day after it arrived (01), Vietnam time, holidays
 * from public_holidays; and as completed on time when its first 06 came before the end of its
 * deadline (the recipient leader's, else the document's due date). A copy enters a denominator
 * once its deadline has passed at `asOf`, or once it was done: an open copy that can still be on
 * time is not yet judged.
 */
export async function onTimeByKeyFromEvents(db: Queryable, s: FigureScope, asOf: Date): Promise<Map<string, OnTimeCounts>> {
  const r = await figureQuery<OnTimeCounts & { key: string }>(
    db,
    `WITH delivered AS (
       SELECT x.id, x.recipient_code, d.issued_on, f.due_on,
              COALESCE(f.arrived_at, x.created_at) AS arrived_at, f.registered_at AS ack_at, f.completed_at AS done_at
         FROM documents d JOIN dispatches x ON x.document_id = d.id JOIN dispatch_deadline_facts f ON f.dispatch_id = x.id
        WHERE d.issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR x.recipient_code = ANY($3::text[]))
          AND x.recipient_code NOT IN (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local')
          AND (SELECT o.kind FROM ledger o WHERE o.dispatch_id = x.id AND o.kind = ANY($5::text[])
                ORDER BY o.id DESC LIMIT 1) = $6
     ), ack_days AS (
       -- registration_deadline() depends only on the arrival's Vietnam day: computed once per day
       -- (a year has ~365) instead of once per copy (a province's year has a million).
       SELECT a.day, registration_deadline(a.day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS deadline
         FROM (SELECT DISTINCT (arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day FROM delivered) a
     ), timed AS (
       SELECT dl.*, ad.deadline AS ack_deadline, completion_deadline(dl.due_on) AS due_deadline
         FROM delivered dl LEFT JOIN ack_days ad ON ad.day = (dl.arrived_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
     )
     SELECT ${groupKeySql(s.groupBy, 'issued_on', 'recipient_code')} AS key,
            count(*) FILTER (WHERE ack_at IS NOT NULL OR ack_deadline <= $4)::int AS dispatches,
            count(*) FILTER (WHERE ack_at IS NOT NULL)::int AS acknowledged,
            count(*) FILTER (WHERE ack_at < ack_deadline)::int AS "acknowledgedOnTime",
            count(*) FILTER (WHERE due_on IS NOT NULL AND (done_at IS NOT NULL OR due_deadline <= $4))::int AS "withDueDate",
            count(*) FILTER (WHERE due_on IS NOT NULL AND done_at IS NOT NULL)::int AS completed,
            count(*) FILTER (WHERE done_at < due_deadline)::int AS "completedOnTime"
       FROM timed GROUP BY 1`,
    [
      s.from,
      s.to,
      s.agencies,
      asOf,
      [LedgerKind.dispatchDelivered, LedgerKind.dispatchPaper, LedgerKind.dispatchFailed],
      LedgerKind.dispatchDelivered,
    ],
  );
  return new Map(r.rows.map(({ key, ...counts }) => [key, counts]));
}
