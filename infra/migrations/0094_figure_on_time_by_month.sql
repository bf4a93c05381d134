-- The on-time figures counted per issue MONTH and recipient, the registration judged when written
-- (issue 25, item 6: a year of a province's rate in ≤ 500 ms at 1M documents / 5M copies).
--
-- 0091 kept figure_on_time per (issue day, recipient, arrival day, registration lag, completion
-- verdict, open copy's due day): the holidays and the moment asked for were applied when reading,
-- so the arrival day had to stay in the key, and a year at 1M documents was ~600,000 rows to
-- aggregate (1.3 s on a loaded machine). Now:
--
--   * figure_copies.registered_in_time is the registration verdict of each copy, judged when its
--     days are written with the holidays of that moment: NULL not registered; true registered
--     before the end of the next working day after the arrival day (registration_deadline, 0041);
--     false registered later, or when no working day follows within 60 days (no deadline: never
--     on time, as the figures always read it). A change of public_holidays re-judges the copies it
--     can affect (trigger below): those registered 2-61 days after an arrival in the 61 days
--     before the changed day (a registration 0-1 day after arrival is always on time, 62 or more
--     always late).
--   * figure_on_time_months counts, per (first day of the issue month, recipient), the copies and
--     what does not depend on the moment asked for: registered, registered in time, with a
--     deadline, completed, completed in time (the completion day <= the due day).
--   * What does depend on the moment is read from figure_copies when asked, from a small set:
--     an unregistered copy enters the denominator once its registration deadline has passed, a copy
--     with a deadline and no completion once its due day has passed. The figures count every open
--     copy and subtract those whose deadline is still ahead of the moment asked for: for "now",
--     only the copies that arrived in the last 62 days or are due from today on (partial indexes).
--   * A range that does not start or end on a month's bounds reads its partial months from
--     figure_copies by issue day (index figure_copies_issued).
-- services/stats/on-time.query.ts reads them; the test oracle (test/support/figures-oracle) reads
-- the events, and test/integration/ledger/figure-outcomes-rollup.test.ts checks both agree.
-- One writer per table, as before: lt_copy_refresh (its triggers from 0088), lt_on_time_rejudge
-- (the holidays' trigger), lt_on_time_rebuild.

-- The verdict of a registration given the first working day after the arrival day (p_next_working,
-- NULL when none within 60 days); lt_registered_in_time searches that day itself.
CREATE FUNCTION lt_registration_verdict(p_arrived_on date, p_registered_on date, p_next_working date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_registered_on IS NULL THEN NULL
              WHEN p_registered_on - p_arrived_on <= 1 THEN true
              WHEN p_registered_on - p_arrived_on >= 62 THEN false
              ELSE COALESCE(p_registered_on <= p_next_working, false) END
$$;

CREATE FUNCTION lt_registered_in_time(p_arrived_on date, p_registered_on date) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT lt_registration_verdict(p_arrived_on, p_registered_on,
           CASE WHEN p_registered_on - p_arrived_on BETWEEN 2 AND 61 THEN next_working_day(p_arrived_on) END)
$$;

DROP FUNCTION lt_on_time_move(figure_copies, figure_copies);
DROP TABLE figure_on_time;
TRUNCATE figure_copies;
ALTER TABLE figure_copies ADD COLUMN registered_in_time boolean;

CREATE TABLE figure_on_time_months (
  issued_month       date NOT NULL, -- the first day of the issue month
  recipient          text NOT NULL,
  copies             integer NOT NULL,
  registered         integer NOT NULL,
  registered_in_time integer NOT NULL,
  with_due           integer NOT NULL,
  completed          integer NOT NULL,
  completed_in_time  integer NOT NULL,
  PRIMARY KEY (issued_month, recipient)
);

-- One copy moved: its old counts out, its new ones in (either may be absent), in one statement,
-- rows in key order; nothing is written when nothing the counts see has changed.
CREATE FUNCTION lt_on_time_month_move(o figure_copies, n figure_copies) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO figure_on_time_months AS t (issued_month, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time)
  SELECT m, r, sum(s)::int, sum(s * reg)::int, sum(s * reg_ok)::int, sum(s * due)::int, sum(s * done)::int, sum(s * done_ok)::int
    FROM (
      SELECT date_trunc('month', o.issued_on)::date, o.recipient, -1, (o.registered_on IS NOT NULL)::int, COALESCE(o.registered_in_time, false)::int,
             (o.due_on IS NOT NULL)::int, (o.due_on IS NOT NULL AND o.completed_on IS NOT NULL)::int, COALESCE(o.completed_on <= o.due_on, false)::int
       WHERE o.dispatch_id IS NOT NULL
      UNION ALL
      SELECT date_trunc('month', n.issued_on)::date, n.recipient, 1, (n.registered_on IS NOT NULL)::int, COALESCE(n.registered_in_time, false)::int,
             (n.due_on IS NOT NULL)::int, (n.due_on IS NOT NULL AND n.completed_on IS NOT NULL)::int, COALESCE(n.completed_on <= n.due_on, false)::int
       WHERE n.dispatch_id IS NOT NULL
    ) m (m, r, s, reg, reg_ok, due, done, done_ok)
   GROUP BY 1, 2
  HAVING sum(s) <> 0 OR sum(s * reg) <> 0 OR sum(s * reg_ok) <> 0 OR sum(s * due) <> 0 OR sum(s * done) <> 0 OR sum(s * done_ok) <> 0
   ORDER BY 1, 2
  ON CONFLICT (issued_month, recipient) DO UPDATE SET
    copies = t.copies + EXCLUDED.copies, registered = t.registered + EXCLUDED.registered,
    registered_in_time = t.registered_in_time + EXCLUDED.registered_in_time, with_due = t.with_due + EXCLUDED.with_due,
    completed = t.completed + EXCLUDED.completed, completed_in_time = t.completed_in_time + EXCLUDED.completed_in_time;
END $$;

-- 0088's function (0091's), now writing the verdict and the month counts.
CREATE OR REPLACE FUNCTION lt_copy_refresh(p_dispatch_id uuid, p_delivered_now boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  cur figure_copies%ROWTYPE;
  had boolean;
  n figure_copies%ROWTYPE;
  v_found boolean;
BEGIN
  SELECT * INTO cur FROM figure_copies WHERE dispatch_id = p_dispatch_id FOR UPDATE;
  had := FOUND;
  SELECT x.id, d.issued_on, x.recipient_code,
         (COALESCE(x.delivered_at, x.created_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         ((SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '03') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         COALESCE(h.deadline_on, d.due_on),
         ((SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         NULL::boolean
    INTO n
    FROM dispatches x JOIN documents d ON d.id = x.document_id LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
   WHERE x.id = p_dispatch_id
     AND (p_delivered_now OR (SELECT o.kind FROM ledger o WHERE o.dispatch_id = x.id AND o.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
                               ORDER BY o.id DESC LIMIT 1) = 'dispatch_delivered');
  v_found := FOUND;
  IF v_found AND n.registered_on IS NOT NULL THEN
    -- The stored verdict stays true while the arrival and registration days do (the holidays'
    -- trigger keeps it current); otherwise judged now (a calendar search only for 2-61 days).
    n.registered_in_time := CASE WHEN had AND cur.arrived_on = n.arrived_on AND cur.registered_on = n.registered_on THEN cur.registered_in_time
                                 ELSE lt_registered_in_time(n.arrived_on, n.registered_on) END;
  END IF;
  IF NOT had THEN
    IF v_found THEN
      -- The common case: a copy delivered for the first time (not registered yet, as a rule).
      INSERT INTO figure_copies VALUES (n.*);
      INSERT INTO figure_on_time_months AS t (issued_month, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time)
      VALUES (date_trunc('month', n.issued_on)::date, n.recipient, 1, (n.registered_on IS NOT NULL)::int, COALESCE(n.registered_in_time, false)::int,
              (n.due_on IS NOT NULL)::int, (n.due_on IS NOT NULL AND n.completed_on IS NOT NULL)::int, COALESCE(n.completed_on <= n.due_on, false)::int)
      ON CONFLICT (issued_month, recipient) DO UPDATE SET
        copies = t.copies + 1, registered = t.registered + EXCLUDED.registered,
        registered_in_time = t.registered_in_time + EXCLUDED.registered_in_time, with_due = t.with_due + EXCLUDED.with_due,
        completed = t.completed + EXCLUDED.completed, completed_in_time = t.completed_in_time + EXCLUDED.completed_in_time;
    END IF;
    RETURN;
  END IF;
  IF v_found AND cur IS NOT DISTINCT FROM n THEN
    RETURN;
  END IF;
  IF NOT v_found THEN
    n := NULL;
  END IF;
  PERFORM lt_on_time_month_move(cur, n);
  IF v_found THEN
    UPDATE figure_copies SET issued_on = n.issued_on, recipient = n.recipient, arrived_on = n.arrived_on,
           registered_on = n.registered_on, due_on = n.due_on, completed_on = n.completed_on, registered_in_time = n.registered_in_time
     WHERE dispatch_id = p_dispatch_id;
  ELSE
    DELETE FROM figure_copies WHERE dispatch_id = p_dispatch_id;
  END IF;
END $$;

-- Re-judges the registrations of the copies that arrived between two days (with today's holidays)
-- and moves the month counts of those whose verdict changed. Returns how many changed.
-- Writers of figure_copies are held off meanwhile (EXCLUSIVE: reads go on), so a copy being
-- registered concurrently is judged either before (and re-judged here) or after (with the new
-- calendar); holidays change a few times a year.
CREATE FUNCTION lt_on_time_rejudge(p_from date, p_to date) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_changed integer;
BEGIN
  LOCK TABLE figure_copies IN EXCLUSIVE MODE;
  WITH days AS MATERIALIZED (
    SELECT g::date AS day, next_working_day(g::date) AS next_working FROM generate_series(p_from, p_to, interval '1 day') g
  ), judged AS (
    SELECT c.dispatch_id, lt_registration_verdict(c.arrived_on, c.registered_on, d.next_working) AS verdict
      FROM figure_copies c JOIN days d ON d.day = c.arrived_on
     WHERE c.registered_on - c.arrived_on BETWEEN 2 AND 61 AND c.arrived_on BETWEEN p_from AND p_to
  ), changed AS (
    UPDATE figure_copies c SET registered_in_time = j.verdict FROM judged j
     WHERE c.dispatch_id = j.dispatch_id AND c.registered_in_time IS DISTINCT FROM j.verdict
    RETURNING c.issued_on, c.recipient, j.verdict
  ), moved AS (
    INSERT INTO figure_on_time_months AS t (issued_month, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time)
    SELECT date_trunc('month', issued_on)::date, recipient, 0, 0, sum(CASE WHEN verdict THEN 1 ELSE -1 END)::int, 0, 0, 0
      FROM changed GROUP BY 1, 2 HAVING sum(CASE WHEN verdict THEN 1 ELSE -1 END) <> 0 ORDER BY 1, 2
    ON CONFLICT (issued_month, recipient) DO UPDATE SET registered_in_time = t.registered_in_time + EXCLUDED.registered_in_time
    RETURNING 1
  )
  SELECT count(*)::int INTO v_changed FROM changed;
  RETURN v_changed;
END $$;

-- A holiday added, removed or moved: the arrivals whose next working day it can change are the 61
-- days before it (next_working_day looks 60 days ahead).
CREATE FUNCTION lt_holiday_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM lt_on_time_rejudge(OLD.day - 61, OLD.day - 1);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.day IS DISTINCT FROM OLD.day) THEN
    PERFORM lt_on_time_rejudge(NEW.day - 61, NEW.day - 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER public_holidays_on_time AFTER INSERT OR DELETE OR UPDATE OF day ON public_holidays
  FOR EACH ROW EXECUTE FUNCTION lt_holiday_row();

-- 0091's rebuild, writing the verdicts (the calendar searched once per arrival day) and the months.
CREATE OR REPLACE FUNCTION lt_on_time_rebuild() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_rows bigint;
  v_first date;
  v_last date;
BEGIN
  LOCK TABLE figure_copies, figure_on_time_months IN EXCLUSIVE MODE;
  DELETE FROM figure_on_time_months;
  DELETE FROM figure_copies;
  SELECT (min(COALESCE(delivered_at, created_at)) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         (max(COALESCE(delivered_at, created_at)) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    INTO v_first, v_last FROM dispatches;
  INSERT INTO figure_copies (dispatch_id, issued_on, recipient, arrived_on, registered_on, due_on, completed_on, registered_in_time)
  WITH latest AS (
    SELECT DISTINCT ON (o.dispatch_id) o.dispatch_id, o.kind FROM ledger o
     WHERE o.dispatch_id IS NOT NULL AND o.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
     ORDER BY o.dispatch_id, o.id DESC
  ), events AS (
    SELECT e.dispatch_id, min(e.at) FILTER (WHERE e.code = '03') AS registered_at, min(e.at) FILTER (WHERE e.code = '06') AS completed_at
      FROM dispatch_events e WHERE e.code IN ('03', '06') GROUP BY e.dispatch_id
  ), days AS MATERIALIZED (
    SELECT g::date AS day, next_working_day(g::date) AS next_working FROM generate_series(v_first, v_last, interval '1 day') g
  ), copies AS (
    SELECT x.id, d.issued_on, x.recipient_code,
           (COALESCE(x.delivered_at, x.created_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS arrived_on,
           (ev.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS registered_on,
           COALESCE(h.deadline_on, d.due_on) AS due_on,
           (ev.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS completed_on
      FROM latest l JOIN dispatches x ON x.id = l.dispatch_id JOIN documents d ON d.id = x.document_id
      LEFT JOIN incoming_handling h ON h.dispatch_id = x.id LEFT JOIN events ev ON ev.dispatch_id = x.id
     WHERE l.kind = 'dispatch_delivered'
  )
  SELECT c.*, lt_registration_verdict(c.arrived_on, c.registered_on, dd.next_working)
    FROM copies c LEFT JOIN days dd ON dd.day = c.arrived_on;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  INSERT INTO figure_on_time_months (issued_month, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time)
  SELECT date_trunc('month', issued_on)::date, recipient, count(*)::int, count(registered_on)::int, count(*) FILTER (WHERE registered_in_time)::int,
         count(due_on)::int, count(*) FILTER (WHERE due_on IS NOT NULL AND completed_on IS NOT NULL)::int, count(*) FILTER (WHERE completed_on <= due_on)::int
    FROM figure_copies GROUP BY 1, 2;
  RETURN v_rows;
END $$;

SELECT lt_on_time_rebuild();

-- Built after the rows (faster than row by row). For the partial months at a range's edges; for the
-- copies still open at the moment asked for; for the holidays' re-judging (written at the 03 only).
CREATE INDEX figure_copies_issued ON figure_copies (issued_on);
CREATE INDEX figure_copies_unregistered ON figure_copies (arrived_on, issued_on) WHERE registered_on IS NULL;
CREATE INDEX figure_copies_open_due ON figure_copies (due_on, issued_on) WHERE completed_on IS NULL AND due_on IS NOT NULL;
CREATE INDEX figure_copies_registered_late_ish ON figure_copies (arrived_on) WHERE registered_on - arrived_on BETWEEN 2 AND 61;
-- Statistics only when there are rows: an ANALYZE of an empty table (a new installation) records
-- it as empty, and the per-copy lookups by dispatch_id would then be planned, and cached by the
-- triggers' sessions, as sequential scans until autovacuum analyzes it again.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM figure_copies) THEN
    ANALYZE figure_copies, figure_on_time_months;
  END IF;
END $$;
