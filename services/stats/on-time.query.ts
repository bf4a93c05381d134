import type { Queryable } from '../db/pool';
import { figureQuery } from './figure-query';
import { groupKeySql, type FigureScope } from './edoc-rate.query';

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
 * recipient — the directive's meaning, with the deadlines of the one overdue rule (migration 0042):
 * a copy counts as received on time ("acknowledged" in the figures) when it was REGISTERED (03,
 * số đến) before the end of the next working day after it arrived (01), Vietnam time, holidays
 * from public_holidays; and as completed on time when its first 06 came before the end of its
 * deadline (the recipient leader's, else the document's due date). A copy enters a denominator
 * once its deadline has passed at `asOf`, or once it was done: an open copy that can still be on
 * time is not yet judged.
 *
 * Read from figure_on_time (migrations 0088, 0091): copies counted per issue day, recipient, Vietnam
 * arrival day, registration day as days after arrival (clamped where no deadline can differ),
 * completion verdict and an open copy's due day, kept by triggers. Every deadline is a Vietnam
 * midnight, so the days decide exactly what the copies' moments decided
 * (the test oracle onTimeByKeyFromEvents, test/support/figures-oracle, reads those); the registration deadline is computed once per arrival day,
 * with today's holidays, and judged at `asOf` here.
 */
export async function onTimeByKey(db: Queryable, s: FigureScope, asOf: Date): Promise<Map<string, OnTimeCounts>> {
  const r = await figureQuery<OnTimeCounts & { key: string }>(
    db,
    `WITH c AS (
       SELECT ${groupKeySql(s.groupBy, 'issued_on', 'recipient')} AS key, arrived_on, registered_lag, completion, open_due_on, copies AS n
         FROM figure_on_time
        WHERE issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR recipient = ANY($3::text[]))
          AND recipient NOT IN (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local')
     ), ack_days AS MATERIALIZED (
       -- MATERIALIZED: computed once per arrival day (inlined, the planner evaluated the working-day
       -- search once per row: 7 s for a year of 110k rows over 6 arrival days).
       SELECT a.arrived_on, registration_deadline(a.arrived_on::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS deadline
         FROM (SELECT DISTINCT arrived_on FROM c) a
     )
     -- One aggregation straight to the groups. A group whose rows all count 0 copies is dropped.
     -- completion: 0 no deadline, 1 completed on time, 2 completed late, 3 open (due open_due_on).
     SELECT key,
            COALESCE(sum(n) FILTER (WHERE registered_lag IS NOT NULL OR ad.deadline <= $4), 0)::int AS dispatches,
            COALESCE(sum(n) FILTER (WHERE registered_lag IS NOT NULL), 0)::int AS acknowledged,
            COALESCE(sum(n) FILTER (WHERE (arrived_on + registered_lag)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' < ad.deadline), 0)::int AS "acknowledgedOnTime",
            COALESCE(sum(n) FILTER (WHERE completion IN (1, 2) OR (completion = 3 AND completion_deadline(open_due_on) <= $4)), 0)::int AS "withDueDate",
            COALESCE(sum(n) FILTER (WHERE completion IN (1, 2)), 0)::int AS completed,
            COALESCE(sum(n) FILTER (WHERE completion = 1), 0)::int AS "completedOnTime"
       FROM c JOIN ack_days ad USING (arrived_on) GROUP BY key HAVING sum(n) <> 0`,
    [s.from, s.to, s.agencies, asOf],
  );
  return new Map(r.rows.map(({ key, ...counts }) => [key, counts]));
}
