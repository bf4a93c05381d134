-- figure_on_time keyed by what the on-time figures decide with, not by every day (issue 25, item 6).
--
-- 0088 counted copies per (issue day, recipient, arrival day, registration day, due day,
-- completion day). Real copies are registered (03) and completed (06) on days of their own, so
-- that key is nearly one row per copy: measured on generated data where copies are registered 0-3
-- days after arrival and completed 1-20 days after that, figure_on_time had exactly one row per
-- copy, and a year of a province's rate aggregated half a million rows.
--
-- What the figures need of a copy (services/stats/on-time.query.ts):
--   * its arrival day: the registration deadline is computed per arrival day when reading (the
--     holidays and the moment asked for stay out of the counts);
--   * registered or not, and whether the registration day comes before that deadline. The
--     deadline is the end of the next working day after the arrival day, searched over the 60
--     days after it (next_working_day, 0041): a registration on the arrival day or the next is
--     always on time, one 62 or more days after it is always late (or NULL when no working day was
--     found, as before). So the registration is kept as its day's distance from the arrival day,
--     clamped to [1, 62]: registered_lag;
--   * for a copy with a deadline: completed on time (the completion day <= the due day), completed
--     late, or still open; an open copy's due day, because it enters the denominator only once that
--     deadline has passed at the moment asked for: completion (0 no deadline, 1 completed on time,
--     2 completed late, 3 open) and open_due_on.
-- A year now has a few rows per (issue day, recipient): the days' spread no longer multiplies them.
-- figure_copies keeps every copy's days as before (what lt_copy_refresh compares against).

CREATE FUNCTION lt_registered_lag(p_arrived_on date, p_registered_on date) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_registered_on IS NOT NULL THEN LEAST(GREATEST(p_registered_on - p_arrived_on, 1), 62)::smallint END
$$;

CREATE FUNCTION lt_completion(p_due_on date, p_completed_on date) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_due_on IS NULL THEN 0 WHEN p_completed_on IS NULL THEN 3 WHEN p_completed_on <= p_due_on THEN 1 ELSE 2 END::smallint
$$;

DROP TABLE figure_on_time;
CREATE TABLE figure_on_time (
  issued_on      date NOT NULL,
  recipient      text NOT NULL,
  arrived_on     date NOT NULL,
  registered_lag smallint,
  completion     smallint NOT NULL,
  open_due_on    date,
  copies         integer NOT NULL,
  CONSTRAINT figure_on_time_key UNIQUE NULLS NOT DISTINCT (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on)
);

INSERT INTO figure_on_time (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, copies)
SELECT issued_on, recipient, arrived_on, lt_registered_lag(arrived_on, registered_on), lt_completion(due_on, completed_on),
       CASE WHEN due_on IS NOT NULL AND completed_on IS NULL THEN due_on END, count(*)::int
  FROM figure_copies GROUP BY 1, 2, 3, 4, 5, 6;

-- One copy moved between two keys (or counted in or out): the two rows written in one statement,
-- in key order (as 0088); a change of days that keeps the copy's key writes nothing here.
CREATE FUNCTION lt_on_time_move(o figure_copies, n figure_copies) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO figure_on_time AS t (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, copies)
  SELECT issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, sum(copies)::int FROM (
    SELECT o.issued_on, o.recipient, o.arrived_on, lt_registered_lag(o.arrived_on, o.registered_on), lt_completion(o.due_on, o.completed_on),
           CASE WHEN o.due_on IS NOT NULL AND o.completed_on IS NULL THEN o.due_on END, -1 WHERE o.dispatch_id IS NOT NULL
    UNION ALL
    SELECT n.issued_on, n.recipient, n.arrived_on, lt_registered_lag(n.arrived_on, n.registered_on), lt_completion(n.due_on, n.completed_on),
           CASE WHEN n.due_on IS NOT NULL AND n.completed_on IS NULL THEN n.due_on END, 1 WHERE n.dispatch_id IS NOT NULL
  ) m (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, copies)
  GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(copies) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT figure_on_time_key DO UPDATE SET copies = t.copies + EXCLUDED.copies;
END $$;

-- 0088's function, its figure_on_time writes through lt_on_time_move (the rest unchanged).
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
         ((SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    INTO n
    FROM dispatches x JOIN documents d ON d.id = x.document_id LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
   WHERE x.id = p_dispatch_id
     AND (p_delivered_now OR (SELECT o.kind FROM ledger o WHERE o.dispatch_id = x.id AND o.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
                               ORDER BY o.id DESC LIMIT 1) = 'dispatch_delivered');
  v_found := FOUND;
  IF NOT had THEN
    IF v_found THEN
      -- The common case: a copy delivered for the first time.
      INSERT INTO figure_copies VALUES (n.*);
      INSERT INTO figure_on_time AS t (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, copies)
      VALUES (n.issued_on, n.recipient, n.arrived_on, lt_registered_lag(n.arrived_on, n.registered_on), lt_completion(n.due_on, n.completed_on),
              CASE WHEN n.due_on IS NOT NULL AND n.completed_on IS NULL THEN n.due_on END, 1)
      ON CONFLICT ON CONSTRAINT figure_on_time_key DO UPDATE SET copies = t.copies + 1;
    END IF;
    RETURN;
  END IF;
  IF v_found AND cur IS NOT DISTINCT FROM n THEN
    RETURN;
  END IF;
  IF NOT v_found THEN
    n := NULL;
  END IF;
  PERFORM lt_on_time_move(cur, n);
  IF v_found THEN
    UPDATE figure_copies SET issued_on = n.issued_on, recipient = n.recipient, arrived_on = n.arrived_on,
           registered_on = n.registered_on, due_on = n.due_on, completed_on = n.completed_on
     WHERE dispatch_id = p_dispatch_id;
  ELSE
    DELETE FROM figure_copies WHERE dispatch_id = p_dispatch_id;
  END IF;
END $$;

-- 0088's rebuild, counting by the new key.
CREATE OR REPLACE FUNCTION lt_on_time_rebuild() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_rows bigint;
BEGIN
  LOCK TABLE figure_copies, figure_on_time IN EXCLUSIVE MODE;
  DELETE FROM figure_on_time;
  DELETE FROM figure_copies;
  INSERT INTO figure_copies (dispatch_id, issued_on, recipient, arrived_on, registered_on, due_on, completed_on)
  WITH latest AS (
    SELECT DISTINCT ON (o.dispatch_id) o.dispatch_id, o.kind FROM ledger o
     WHERE o.dispatch_id IS NOT NULL AND o.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
     ORDER BY o.dispatch_id, o.id DESC
  ), events AS (
    SELECT e.dispatch_id, min(e.at) FILTER (WHERE e.code = '03') AS registered_at, min(e.at) FILTER (WHERE e.code = '06') AS completed_at
      FROM dispatch_events e WHERE e.code IN ('03', '06') GROUP BY e.dispatch_id
  )
  SELECT x.id, d.issued_on, x.recipient_code,
         (COALESCE(x.delivered_at, x.created_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         (ev.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
         COALESCE(h.deadline_on, d.due_on),
         (ev.completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    FROM latest l JOIN dispatches x ON x.id = l.dispatch_id JOIN documents d ON d.id = x.document_id
    LEFT JOIN incoming_handling h ON h.dispatch_id = x.id LEFT JOIN events ev ON ev.dispatch_id = x.id
   WHERE l.kind = 'dispatch_delivered';
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  INSERT INTO figure_on_time (issued_on, recipient, arrived_on, registered_lag, completion, open_due_on, copies)
  SELECT issued_on, recipient, arrived_on, lt_registered_lag(arrived_on, registered_on), lt_completion(due_on, completed_on),
         CASE WHEN due_on IS NOT NULL AND completed_on IS NULL THEN due_on END, count(*)::int
    FROM figure_copies GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN v_rows;
END $$;
