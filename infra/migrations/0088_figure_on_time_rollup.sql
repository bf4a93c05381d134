-- The on-time figures of a year in milliseconds (issue 25, item 6), beside figure_outcomes (0087).
--
-- The on-time figures (services/stats/on-time.query.ts) look at every copy delivered
-- electronically (its latest outcome is dispatch_delivered) of the documents issued in the period:
-- when it arrived, when it was registered (its first 03) and completed (its first 06), and its
-- deadline (the recipient leader's, else the document's due date). Every deadline they compare with
-- is a Vietnam midnight: registration is due by the end of the next working day after the arrival
-- day (registration_deadline), completion by the end of the due day (completion_deadline). So a
-- copy's Vietnam DAYS decide everything: registered on time <=> registered day < the registration
-- deadline's day; completed on time <=> completed day <= due day. The holidays (which move the
-- registration deadline) and the moment asked for stay out of the counts: they are applied when
-- reading, once per arrival day.
--
-- figure_copies holds those days for each copy that counts; figure_on_time counts the copies per
-- (issue day, recipient, arrival day, registration day, due day, completion day). Kept by
-- lt_copy_refresh(), which recomputes ONE copy from the rows the figures used to read, from
-- triggers on: its outcome rows (ledger); its 03/06 events; its arrival and creation times and
-- recipient (dispatches); its document's due and issue dates; the recipient leader's deadline
-- (incoming_handling). A copy that is not counted can only start to count with a
-- dispatch_delivered row, so the other triggers do one index probe for it and stop there.
-- The two rows of figure_on_time a copy moves between are written in one statement, in key order,
-- so two moves never wait on each other in opposite orders.

CREATE TABLE figure_copies (
  dispatch_id   uuid PRIMARY KEY,
  issued_on     date NOT NULL,
  recipient     text NOT NULL,
  arrived_on    date NOT NULL,
  registered_on date,
  due_on        date,
  completed_on  date
);

CREATE TABLE figure_on_time (
  issued_on     date NOT NULL,
  recipient     text NOT NULL,
  arrived_on    date NOT NULL,
  registered_on date,
  due_on        date,
  completed_on  date,
  copies        integer NOT NULL,
  CONSTRAINT figure_on_time_key UNIQUE NULLS NOT DISTINCT (issued_on, recipient, arrived_on, registered_on, due_on, completed_on)
);

-- One copy's days as the on-time figures read them (the view dispatch_deadline_facts, 0042), or
-- nothing when its latest outcome is not an electronic delivery. p_delivered_now: called for a
-- dispatch_delivered row known to be the copy's latest outcome (the ledger's trigger), so the
-- ledger is not read again.
CREATE FUNCTION lt_copy_refresh(p_dispatch_id uuid, p_delivered_now boolean DEFAULT false) RETURNS void
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
      INSERT INTO figure_on_time AS o (issued_on, recipient, arrived_on, registered_on, due_on, completed_on, copies)
      VALUES (n.issued_on, n.recipient, n.arrived_on, n.registered_on, n.due_on, n.completed_on, 1)
      ON CONFLICT ON CONSTRAINT figure_on_time_key DO UPDATE SET copies = o.copies + 1;
    END IF;
    RETURN;
  END IF;
  IF v_found AND cur IS NOT DISTINCT FROM n THEN
    RETURN;
  END IF;
  INSERT INTO figure_on_time AS o (issued_on, recipient, arrived_on, registered_on, due_on, completed_on, copies)
  SELECT * FROM (
    SELECT cur.issued_on, cur.recipient, cur.arrived_on, cur.registered_on, cur.due_on, cur.completed_on, -1
    UNION ALL
    SELECT n.issued_on, n.recipient, n.arrived_on, n.registered_on, n.due_on, n.completed_on, 1 WHERE v_found
  ) m (issued_on, recipient, arrived_on, registered_on, due_on, completed_on, copies)
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT figure_on_time_key DO UPDATE SET copies = o.copies + EXCLUDED.copies;
  IF v_found THEN
    UPDATE figure_copies SET issued_on = n.issued_on, recipient = n.recipient, arrived_on = n.arrived_on,
           registered_on = n.registered_on, due_on = n.due_on, completed_on = n.completed_on
     WHERE dispatch_id = p_dispatch_id;
  ELSE
    DELETE FROM figure_copies WHERE dispatch_id = p_dispatch_id;
  END IF;
END $$;

-- A copy that does not count yet can only start to with a dispatch_delivered row.
CREATE FUNCTION lt_copy_refresh_counted(p_dispatch_id uuid) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM figure_copies WHERE dispatch_id = p_dispatch_id) THEN
    PERFORM lt_copy_refresh(p_dispatch_id);
  END IF;
END $$;

-- The ledger's trigger function of 0087, now also for the copy's on-time days.
CREATE OR REPLACE FUNCTION lt_figure_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cur figure_documents%ROWTYPE;
  v_prev_kind text;
  v_prev_id bigint;
BEGIN
  IF NEW.kind = 'paper_recorded' THEN
    PERFORM lt_figure_refresh(NEW.document_id, true, NEW.sender);
    RETURN NULL;
  ELSIF NEW.kind = 'document_accepted' THEN
    IF NEW.dispatch_id IS NULL THEN
      PERFORM lt_figure_refresh(NEW.document_id, false, NEW.sender);
    END IF;
    RETURN NULL;
  ELSIF NEW.dispatch_id IS NULL THEN
    RETURN NULL; -- not a copy's outcome: the figures do not read it
  END IF;
  SELECT x.kind, x.id INTO v_prev_kind, v_prev_id FROM ledger x
   WHERE x.dispatch_id = NEW.dispatch_id AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
     AND x.document_id = NEW.document_id AND x.id <> NEW.id
   ORDER BY x.id DESC LIMIT 1;
  IF FOUND AND v_prev_id > NEW.id THEN
    RETURN NULL; -- a later outcome of this copy is the one that counts: nothing moves
  END IF;
  -- This row is the copy's latest outcome. Its on-time days:
  IF NEW.kind = 'dispatch_delivered' THEN
    PERFORM lt_copy_refresh(NEW.dispatch_id, true);
  ELSIF v_prev_kind = 'dispatch_delivered' THEN
    PERFORM lt_copy_refresh(NEW.dispatch_id);
  END IF;
  -- Its document's outcome tuple. The chain lock of NEW.sender is held (ledger_append took it):
  -- the same sender's counted row.
  SELECT * INTO cur FROM figure_documents WHERE document_id = NEW.document_id AND sender = NEW.sender FOR UPDATE;
  IF NOT FOUND OR cur.paper_record THEN
    PERFORM lt_figure_refresh(NEW.document_id, false, NULL);
    RETURN NULL;
  END IF;
  PERFORM lt_figure_move(cur, cur.issued_on, cur.copies,
    cur.delivered + (NEW.kind = 'dispatch_delivered')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_delivered')::int,
    cur.paper + (NEW.kind = 'dispatch_paper')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_paper')::int,
    cur.failed + (NEW.kind = 'dispatch_failed')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_failed')::int,
    cur.signed, cur.pipeline_failed);
  RETURN NULL;
END $$;

CREATE FUNCTION lt_copy_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'dispatches' THEN
    PERFORM lt_copy_refresh_counted(NEW.id);
  ELSIF TG_TABLE_NAME = 'documents' THEN
    PERFORM lt_copy_refresh(c.dispatch_id) FROM figure_copies c JOIN dispatches x ON x.id = c.dispatch_id WHERE x.document_id = NEW.id;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM lt_copy_refresh_counted(OLD.dispatch_id);
  ELSE
    PERFORM lt_copy_refresh_counted(NEW.dispatch_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER dispatch_events_on_time AFTER INSERT ON dispatch_events FOR EACH ROW
  WHEN (NEW.code IN ('03', '06')) EXECUTE FUNCTION lt_copy_row();
CREATE TRIGGER dispatches_on_time AFTER UPDATE OF delivered_at, created_at, recipient_code ON dispatches FOR EACH ROW
  WHEN (OLD.delivered_at IS DISTINCT FROM NEW.delivered_at OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.recipient_code IS DISTINCT FROM NEW.recipient_code)
  EXECUTE FUNCTION lt_copy_row();
CREATE TRIGGER documents_on_time AFTER UPDATE OF due_on, issued_on ON documents FOR EACH ROW
  WHEN (OLD.due_on IS DISTINCT FROM NEW.due_on OR OLD.issued_on IS DISTINCT FROM NEW.issued_on)
  EXECUTE FUNCTION lt_copy_row();
CREATE TRIGGER incoming_handling_on_time_added AFTER INSERT ON incoming_handling FOR EACH ROW
  WHEN (NEW.deadline_on IS NOT NULL) EXECUTE FUNCTION lt_copy_row();
CREATE TRIGGER incoming_handling_on_time_changed AFTER UPDATE OF deadline_on ON incoming_handling FOR EACH ROW
  WHEN (OLD.deadline_on IS DISTINCT FROM NEW.deadline_on) EXECUTE FUNCTION lt_copy_row();
CREATE TRIGGER incoming_handling_on_time_removed AFTER DELETE ON incoming_handling FOR EACH ROW
  WHEN (OLD.deadline_on IS NOT NULL) EXECUTE FUNCTION lt_copy_row();

-- Both tables rebuilt in one pass (the backfill; also after a bulk load that bypassed the triggers).
CREATE FUNCTION lt_on_time_rebuild() RETURNS bigint
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
  INSERT INTO figure_on_time (issued_on, recipient, arrived_on, registered_on, due_on, completed_on, copies)
  SELECT issued_on, recipient, arrived_on, registered_on, due_on, completed_on, count(*)::int
    FROM figure_copies GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN v_rows;
END $$;

SELECT lt_on_time_rebuild();
