import type { Queryable } from '../db/pool';
import { vnDay } from '../calendar/vn-day';
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
       -- Once per arrival day (inlined, the planner evaluated the working-day search once per row):
       -- the registration deadline is a Vietnam midnight, so it is kept as the day it begins
       -- (registered on time <=> the registration day comes before it), and whether it has passed
       -- at $4. Per row only dates and small integers are compared.
       SELECT a.arrived_on, (dl AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS deadline_day, dl <= $4 AS passed
         FROM (SELECT DISTINCT arrived_on FROM c) a,
              LATERAL registration_deadline(a.arrived_on::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') dl
     )
     -- One aggregation straight to the groups. A group whose rows all count 0 copies is dropped.
     -- completion: 0 no deadline, 1 completed on time, 2 completed late, 3 open, due open_due_on:
     -- its deadline, the end of that day (completion_deadline), has passed at $4 <=> the Vietnam
     -- day of $4 ($5) is after it.
     SELECT key,
            COALESCE(sum(n) FILTER (WHERE registered_lag IS NOT NULL OR ad.passed), 0)::int AS dispatches,
            COALESCE(sum(n) FILTER (WHERE registered_lag IS NOT NULL), 0)::int AS acknowledged,
            COALESCE(sum(n) FILTER (WHERE arrived_on + registered_lag < ad.deadline_day), 0)::int AS "acknowledgedOnTime",
            COALESCE(sum(n) FILTER (WHERE completion IN (1, 2) OR (completion = 3 AND open_due_on < $5::date)), 0)::int AS "withDueDate",
            COALESCE(sum(n) FILTER (WHERE completion IN (1, 2)), 0)::int AS completed,
            COALESCE(sum(n) FILTER (WHERE completion = 1), 0)::int AS "completedOnTime"
       FROM c JOIN ack_days ad USING (arrived_on) GROUP BY key HAVING sum(n) <> 0`,
    [s.from, s.to, s.agencies, asOf, vnDay(asOf)],
  );
  return new Map(r.rows.map(({ key, ...counts }) => [key, counts]));
}
