import { EdxmlStatusCode, LedgerKind } from '../../contracts';
import type { Queryable } from '../db/pool';
import { groupKeySql, type FigureScope } from './edoc-rate.query';
import { VN_TIME_ZONE } from './periods';

export interface OnTimeCounts {
  dispatches: number;
  acknowledged: number;
  acknowledgedOnTime: number;
  withDueDate: number;
  completed: number;
  completedOnTime: number;
}

/**
 * Recipient-side timeliness of the copies delivered electronically (latest outcome
 * dispatch_delivered) of documents issued in the period, grouped by issue month/quarter or by
 * recipient. The clock starts when the sender handed the document over (the dispatch row is
 * written at accept). A copy is acknowledged on time when its first 01 comes before the end of
 * the next working day after that (Vietnam time); completed on time when its first 06 comes before
 * the end of the document's due date. A copy enters a denominator once its deadline has passed
 * at `asOf`, or once it was done: an open copy that can still be on time is not yet judged.
 * `nextWorkingDay` maps sending days to deadlines (working-days.ts), covering every sending day.
 */
export async function onTimeByKey(
  db: Queryable,
  s: FigureScope,
  asOf: Date,
  nextWorkingDay: { days: string[]; next: string[] },
): Promise<Map<string, OnTimeCounts>> {
  const r = await db.query<OnTimeCounts & { key: string }>(
    `WITH cal AS (
       SELECT * FROM unnest($4::date[], $5::date[]) AS c(day, next_wd)
     ), delivered AS (
       SELECT x.id, x.recipient_code, d.issued_on, d.due_on,
              (x.created_at AT TIME ZONE '${VN_TIME_ZONE}')::date AS sent_day,
              (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = $7) AS ack_at,
              (SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = $8) AS done_at
         FROM documents d JOIN dispatches x ON x.document_id = d.id
        WHERE d.issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR x.recipient_code = ANY($3::text[]))
          AND x.recipient_code NOT IN (SELECT code FROM agencies WHERE sandbox)
          AND (SELECT o.kind FROM ledger o WHERE o.dispatch_id = x.id AND o.kind = ANY($9::text[])
                ORDER BY o.id DESC LIMIT 1) = $10
     ), timed AS (
       SELECT dl.*,
              ((COALESCE(c.next_wd, dl.sent_day + 1) + 1)::timestamp AT TIME ZONE '${VN_TIME_ZONE}') AS ack_deadline,
              ((dl.due_on + 1)::timestamp AT TIME ZONE '${VN_TIME_ZONE}') AS due_deadline
         FROM delivered dl LEFT JOIN cal c ON c.day = dl.sent_day
     )
     SELECT ${groupKeySql(s.groupBy, 'issued_on', 'recipient_code')} AS key,
            count(*) FILTER (WHERE ack_at IS NOT NULL OR ack_deadline <= $6)::int AS dispatches,
            count(*) FILTER (WHERE ack_at IS NOT NULL)::int AS acknowledged,
            count(*) FILTER (WHERE ack_at < ack_deadline)::int AS "acknowledgedOnTime",
            count(*) FILTER (WHERE due_on IS NOT NULL AND (done_at IS NOT NULL OR due_deadline <= $6))::int AS "withDueDate",
            count(*) FILTER (WHERE due_on IS NOT NULL AND done_at IS NOT NULL)::int AS completed,
            count(*) FILTER (WHERE done_at < due_deadline)::int AS "completedOnTime"
       FROM timed GROUP BY 1`,
    [
      s.from,
      s.to,
      s.agencies,
      nextWorkingDay.days,
      nextWorkingDay.next,
      asOf,
      EdxmlStatusCode.arrived,
      EdxmlStatusCode.completed,
      [LedgerKind.dispatchDelivered, LedgerKind.dispatchPaper, LedgerKind.dispatchFailed],
      LedgerKind.dispatchDelivered,
    ],
  );
  return new Map(r.rows.map(({ key, ...counts }) => [key, counts]));
}
