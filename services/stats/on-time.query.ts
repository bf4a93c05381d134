import type { Queryable } from '../db/pool';
import { vnDay } from '../calendar/vn-day';
import { figureQuery } from './figure-query';
import { groupKeySql, type FigureScope } from './edoc-rate.query';
import { splitByMonths } from './month-split';

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
 * Read from figure_on_time_months and figure_copies (migration 0094; the triggers of 0088 keep them):
 * whole months from the month counts (copies, registered, registered in time — judged when written,
 * re-judged when public_holidays changes —, with a deadline, completed, completed in time), the days
 * at a range's edges copy by copy. What depends on `asOf` is read from the copies still open: every
 * unregistered copy counts in `dispatches` except those whose registration deadline (a Vietnam
 * midnight: the day after the next working day after arrival) is still ahead of `asOf`, and likewise
 * every copy with a deadline and no completion in `withDueDate` except those whose due day has not
 * ended. Those are the copies that arrived in the 62 days before `asOf` (the calendar search looks
 * 60 days ahead; earlier arrivals only when 40 or more holidays fall in two months, where the search
 * can find no working day at all) or are due from that day on: few for "now". The test oracle
 * onTimeByKeyFromEvents (test/support/figures-oracle) reads the events; the tests check both agree.
 */
export async function onTimeByKey(db: Queryable, s: FigureScope, asOf: Date): Promise<Map<string, OnTimeCounts>> {
  const { months, head, tail } = splitByMonths(s.from, s.to);
  const copyKey = groupKeySql(s.groupBy, 'c.issued_on', 'c.recipient');
  const inScope = `c.issued_on BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR c.recipient = ANY($3::text[])) AND c.recipient NOT IN (SELECT code FROM excluded)`;
  const r = await figureQuery<OnTimeCounts & { key: string }>(
    db,
    `WITH excluded AS (SELECT code FROM agencies WHERE sandbox OR reached_via <> 'local'),
     edges AS MATERIALIZED (
       -- The partial months at the range's edges. One whose month holds no counted copy on the days
       -- outside the range is read from its month's counts (exact: they count the same copies).
       SELECT e.from_day, e.to_day, date_trunc('month', e.from_day)::date AS month,
              NOT EXISTS (SELECT 1 FROM figure_copies c WHERE c.issued_on >= date_trunc('month', e.from_day)::date AND c.issued_on < e.from_day)
              AND NOT EXISTS (SELECT 1 FROM figure_copies c WHERE c.issued_on > e.to_day AND c.issued_on < (date_trunc('month', e.from_day) + interval '1 month')::date) AS whole
         FROM (VALUES ($7::date, $8::date), ($9::date, $10::date)) e (from_day, to_day) WHERE e.from_day <= e.to_day
     ),
     counts AS (
       SELECT ${groupKeySql(s.groupBy, 'm.issued_month', 'm.recipient')} AS key, m.copies, m.registered, m.registered_in_time AS reg_ok,
              m.with_due, m.completed, m.completed_in_time AS done_ok
         FROM figure_on_time_months m
        WHERE (m.issued_month BETWEEN $5 AND $6 OR m.issued_month IN (SELECT month FROM edges WHERE whole))
          AND ($3::text[] IS NULL OR m.recipient = ANY($3::text[])) AND m.recipient NOT IN (SELECT code FROM excluded)
       UNION ALL
       SELECT ${copyKey}, 1, (c.registered_on IS NOT NULL)::int, COALESCE(c.registered_in_time, false)::int,
              (c.due_on IS NOT NULL)::int, (c.due_on IS NOT NULL AND c.completed_on IS NOT NULL)::int, COALESCE(c.completed_on <= c.due_on, false)::int
         FROM edges e JOIN figure_copies c ON c.issued_on BETWEEN e.from_day AND e.to_day
        WHERE NOT e.whole AND ($3::text[] IS NULL OR c.recipient = ANY($3::text[])) AND c.recipient NOT IN (SELECT code FROM excluded)
     ), no_working_day AS MATERIALIZED (
       -- Arrival days before the window whose calendar search finds no working day (their copies never
       -- pass the registration deadline): only where 40+ holidays fall within 60 days. Usually none.
       SELECT z.day FROM (
         SELECT DISTINCT h.day - k AS day FROM public_holidays h CROSS JOIN generate_series(1, 3) k
          WHERE (SELECT count(*) FROM public_holidays g WHERE g.day BETWEEN h.day - k + 1 AND h.day - k + 60) >= 40
       ) z WHERE z.day < $4::date - 62 AND next_working_day(z.day) IS NULL
     ), unregistered AS (
       -- Two branches, so that the first is one range of figure_copies_unregistered (arrival, then issue day).
       SELECT ${copyKey} AS key, c.arrived_on FROM figure_copies c
        WHERE c.registered_on IS NULL AND c.arrived_on >= $4::date - 62 AND ${inScope}
       UNION ALL
       SELECT ${copyKey}, c.arrived_on FROM figure_copies c
        WHERE c.registered_on IS NULL AND c.arrived_on = ANY (ARRAY(SELECT day FROM no_working_day)) AND ${inScope}
     ), arrival_days AS MATERIALIZED (
       SELECT a.arrived_on, next_working_day(a.arrived_on) AS next_working FROM (SELECT DISTINCT arrived_on FROM unregistered) a
     ), not_yet AS (
       -- Registration not yet due at asOf: its deadline, the start of the day after the next working day,
       -- is after the Vietnam day of asOf ($4) began, or there is none.
       SELECT u.key, count(*) AS registration, 0 AS completion FROM unregistered u JOIN arrival_days a USING (arrived_on)
        WHERE a.next_working IS NULL OR a.next_working >= $4::date GROUP BY 1
       UNION ALL
       -- Completion not yet due at asOf: its deadline, the end of the due day, has not come.
       SELECT ${copyKey}, 0, count(*) FROM figure_copies c
        WHERE c.completed_on IS NULL AND c.due_on IS NOT NULL AND c.due_on >= $4::date AND ${inScope} GROUP BY 1
     ), totals AS (
       SELECT key, sum(copies) AS copies, sum(registered) AS registered, sum(reg_ok) AS reg_ok, sum(with_due) AS with_due,
              sum(completed) AS completed, sum(done_ok) AS done_ok
         FROM counts GROUP BY key HAVING sum(copies) <> 0
     ), pending AS (
       SELECT key, sum(registration) AS registration, sum(completion) AS completion FROM not_yet GROUP BY key
     )
     SELECT t.key, (t.copies - COALESCE(p.registration, 0))::int AS dispatches, t.registered::int AS acknowledged,
            t.reg_ok::int AS "acknowledgedOnTime", (t.with_due - COALESCE(p.completion, 0))::int AS "withDueDate",
            t.completed::int AS completed, t.done_ok::int AS "completedOnTime"
       FROM totals t LEFT JOIN pending p USING (key)`,
    [s.from, s.to, s.agencies, vnDay(asOf), months.from, months.to, head.from, head.to, tail.from, tail.to],
  );
  return new Map(r.rows.map(({ key, ...counts }) => [key, counts]));
}
