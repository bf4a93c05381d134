-- The e-document rate of a year in milliseconds (issue 25, item 6: a province's years of history).
--
-- The rate classifies each document by its outcomes (services/stats/classify-document.ts): how many
-- copies it has, how many of them ended delivered / on paper / failed (each copy's LATEST outcome
-- row), whether it is signed, whether it failed in the pipeline. Until now every call read every
-- document of the period, its accept row and each copy's outcome rows: a year of 1M documents /
-- 5M dispatches is several seconds of PostgreSQL CPU. Here the same inputs are kept per document
-- (figure_documents) and counted per (issue day, sender, outcome tuple) (figure_outcomes), so the
-- rate of a year reads a few thousand rows. The classification itself stays in TypeScript: a row
-- of figure_outcomes is exactly one of the tuples documentOutcomeTuples() used to return, with the
-- number of documents that have it.
--
-- Kept in step by lt_figure_refresh(), which recomputes ONE document's tuple from the very rows the
-- rate used to read and moves the document from its old tuple to its new one. It runs from
-- triggers on every change of those inputs, in the transaction that makes the change:
--   ledger           a document_accepted, dispatch_delivered/_paper/_failed or paper_recorded row;
--   documents        status into or out of 'failed', issue date changed;
--   document_files   a 'signed' file added or removed (disposal removes the files).
-- Revocations write no outcome row and change nothing here (as in the rate).
-- Writes to a sender's rows are serialised by that sender's ledger chain lock (7315002, the key of
-- ledger_append(), already held when the trigger is a ledger row's): one order of locks for all.
-- What is NOT in these tables, and is applied when reading: the period, the agency filter, and the
-- exclusion of sandbox and remote agencies (an agency's flags may change; the counts do not).

CREATE TABLE figure_documents (
  document_id     uuid NOT NULL,
  sender          text NOT NULL,
  -- A paper document recorded through the API (paper_documents), counted per (document, sender).
  paper_record    boolean NOT NULL,
  issued_on       date NOT NULL,
  copies          integer NOT NULL,
  delivered       integer NOT NULL,
  paper           integer NOT NULL,
  failed          integer NOT NULL,
  signed          boolean NOT NULL,
  pipeline_failed boolean NOT NULL,
  PRIMARY KEY (document_id, sender)
);

CREATE TABLE figure_outcomes (
  issued_on       date NOT NULL,
  sender          text NOT NULL,
  copies          integer NOT NULL,
  delivered       integer NOT NULL,
  paper           integer NOT NULL,
  failed          integer NOT NULL,
  signed          boolean NOT NULL,
  pipeline_failed boolean NOT NULL,
  documents       integer NOT NULL,
  PRIMARY KEY (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed)
);

-- One document's tuple recomputed from the ledger, documents and document_files (the rate's own
-- definitions: services/stats/edoc-rate.ledger-query.ts reads them the same way for a period), and
-- the document moved from its old tuple to the new one. p_paper: a paper document (paper_documents)
-- and the sender of its paper_recorded rows.
-- Moves one document from its counted tuple `cur` to the new one: both counts in one statement (the
-- old tuple's row first), then the document's row. Called with the sender's chain lock held.
CREATE FUNCTION lt_figure_move(cur figure_documents, p_issued date, p_copies integer, p_delivered integer, p_paper integer,
                               p_failed integer, p_signed boolean, p_pf boolean) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF (cur.issued_on, cur.copies, cur.delivered, cur.paper, cur.failed, cur.signed, cur.pipeline_failed)
     IS NOT DISTINCT FROM (p_issued, p_copies, p_delivered, p_paper, p_failed, p_signed, p_pf) THEN
    RETURN;
  END IF;
  INSERT INTO figure_outcomes AS o (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed, documents)
  VALUES (cur.issued_on, cur.sender, cur.copies, cur.delivered, cur.paper, cur.failed, cur.signed, cur.pipeline_failed, -1),
         (p_issued, cur.sender, p_copies, p_delivered, p_paper, p_failed, p_signed, p_pf, 1)
  ON CONFLICT (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed)
  DO UPDATE SET documents = o.documents + EXCLUDED.documents;
  UPDATE figure_documents SET issued_on = p_issued, copies = p_copies, delivered = p_delivered, paper = p_paper,
         failed = p_failed, signed = p_signed, pipeline_failed = p_pf
   WHERE document_id = cur.document_id AND sender = cur.sender;
END $$;

CREATE FUNCTION lt_figure_refresh(p_document_id uuid, p_paper boolean, p_sender text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_sender text := p_sender;
  v_issued date;
  v_copies integer;
  v_delivered integer := 0;
  v_paper integer := 0;
  v_failed integer := 0;
  v_signed boolean := false;
  v_pf boolean := false;
  v_found boolean;
  cur figure_documents%ROWTYPE;
BEGIN
  IF p_paper THEN
    PERFORM pg_advisory_xact_lock(7315002, hashtext(v_sender));
    SELECT p.issued_on, count(*)::int INTO v_issued, v_copies
      FROM paper_documents p JOIN ledger l ON l.kind = 'paper_recorded' AND l.document_id = p.id
     WHERE p.id = p_document_id AND l.sender = v_sender
     GROUP BY p.issued_on;
    v_found := FOUND;
    v_paper := v_copies;
  ELSE
    IF v_sender IS NULL THEN
      SELECT l.sender INTO v_sender FROM ledger l
       WHERE l.kind = 'document_accepted' AND l.document_id = p_document_id AND l.dispatch_id IS NULL;
      IF NOT FOUND THEN
        RETURN; -- not accepted yet: the accept row's trigger counts it
      END IF;
    END IF;
    -- The sender's chain lock (re-entrant: a ledger row's trigger holds it already), then the
    -- document's state as committed by everyone before us.
    PERFORM pg_advisory_xact_lock(7315002, hashtext(v_sender));
    SELECT d.issued_on, d.status = 'failed',
           COALESCE((l.detail->>'recipients')::int, (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id)),
           EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed')
      INTO v_issued, v_pf, v_copies, v_signed
      FROM documents d JOIN ledger l ON l.kind = 'document_accepted' AND l.document_id = d.id AND l.dispatch_id IS NULL
     WHERE d.id = p_document_id;
    v_found := FOUND;
    IF v_found THEN
      SELECT count(*) FILTER (WHERE o.kind = 'dispatch_delivered')::int,
             count(*) FILTER (WHERE o.kind = 'dispatch_paper')::int,
             count(*) FILTER (WHERE o.kind = 'dispatch_failed')::int
        INTO v_delivered, v_paper, v_failed
        FROM (SELECT DISTINCT ON (x.dispatch_id) x.kind FROM ledger x
               WHERE x.document_id = p_document_id AND x.dispatch_id IS NOT NULL
                 AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
               ORDER BY x.dispatch_id, x.id DESC) o;
    END IF;
  END IF;

  SELECT * INTO cur FROM figure_documents WHERE document_id = p_document_id AND sender = v_sender FOR UPDATE;
  IF FOUND AND v_found THEN
    PERFORM lt_figure_move(cur, v_issued, v_copies, v_delivered, v_paper, v_failed, v_signed, v_pf);
  ELSIF FOUND THEN
    UPDATE figure_outcomes SET documents = documents - 1
     WHERE issued_on = cur.issued_on AND sender = cur.sender AND copies = cur.copies AND delivered = cur.delivered
       AND paper = cur.paper AND failed = cur.failed AND signed = cur.signed AND pipeline_failed = cur.pipeline_failed;
    DELETE FROM figure_documents WHERE document_id = p_document_id AND sender = v_sender;
  ELSIF v_found THEN
    INSERT INTO figure_documents (document_id, sender, paper_record, issued_on, copies, delivered, paper, failed, signed, pipeline_failed)
    VALUES (p_document_id, v_sender, p_paper, v_issued, v_copies, v_delivered, v_paper, v_failed, v_signed, v_pf);
    INSERT INTO figure_outcomes AS o (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed, documents)
    VALUES (v_issued, v_sender, v_copies, v_delivered, v_paper, v_failed, v_signed, v_pf, 1)
    ON CONFLICT (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed)
    DO UPDATE SET documents = o.documents + 1;
  END IF;
END $$;

-- A ledger row's trigger. An outcome (5 per document on the hot path) is counted incrementally:
-- the document's counted row, locked, moves by this copy (its previous latest outcome out, this one
-- in), one index probe for the previous outcome; no re-read of the document. Anything unusual (the
-- document not counted yet, another sender's document) takes the full recount.
CREATE FUNCTION lt_figure_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NULL; -- not a copy's outcome: the rate does not read it
  END IF;
  -- The chain lock of NEW.sender is held (ledger_append took it): the same sender's counted row.
  SELECT * INTO cur FROM figure_documents WHERE document_id = NEW.document_id AND sender = NEW.sender FOR UPDATE;
  IF NOT FOUND OR cur.paper_record THEN
    PERFORM lt_figure_refresh(NEW.document_id, false, NULL);
    RETURN NULL;
  END IF;
  SELECT x.kind, x.id INTO v_prev_kind, v_prev_id FROM ledger x
   WHERE x.dispatch_id = NEW.dispatch_id AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
     AND x.document_id = NEW.document_id AND x.id <> NEW.id
   ORDER BY x.id DESC LIMIT 1;
  IF FOUND AND v_prev_id > NEW.id THEN
    RETURN NULL; -- a later outcome of this copy is the one that counts
  END IF;
  PERFORM lt_figure_move(cur, cur.issued_on, cur.copies,
    cur.delivered + (NEW.kind = 'dispatch_delivered')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_delivered')::int,
    cur.paper + (NEW.kind = 'dispatch_paper')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_paper')::int,
    cur.failed + (NEW.kind = 'dispatch_failed')::int - (v_prev_kind IS NOT DISTINCT FROM 'dispatch_failed')::int,
    cur.signed, cur.pipeline_failed);
  RETURN NULL;
END $$;

CREATE TRIGGER ledger_figures AFTER INSERT ON ledger FOR EACH ROW
  WHEN (NEW.document_id IS NOT NULL
        AND NEW.kind IN ('document_accepted', 'dispatch_delivered', 'dispatch_paper', 'dispatch_failed', 'paper_recorded'))
  EXECUTE FUNCTION lt_figure_ledger_row();

CREATE FUNCTION lt_figure_document_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'documents' THEN
    PERFORM lt_figure_refresh(NEW.id, false, NULL);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM lt_figure_refresh(OLD.document_id, false, NULL);
  ELSE
    PERFORM lt_figure_refresh(NEW.document_id, false, NULL);
  END IF;
  RETURN NULL;
END $$;

-- Only the rare changes fire: a pipeline failure (or its retry), an issue date corrected.
CREATE TRIGGER documents_figures AFTER UPDATE OF status, issued_on ON documents FOR EACH ROW
  WHEN ((OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed') OR OLD.issued_on IS DISTINCT FROM NEW.issued_on)
  EXECUTE FUNCTION lt_figure_document_row();
CREATE TRIGGER document_files_signed_added AFTER INSERT ON document_files FOR EACH ROW
  WHEN (NEW.role = 'signed') EXECUTE FUNCTION lt_figure_document_row();
CREATE TRIGGER document_files_signed_removed AFTER DELETE ON document_files FOR EACH ROW
  WHEN (OLD.role = 'signed') EXECUTE FUNCTION lt_figure_document_row();

-- Both tables rebuilt from the ledger in one pass (the migration's backfill; also after a bulk
-- load that bypassed the triggers). Same definitions as lt_figure_refresh, for every document.
CREATE FUNCTION lt_figures_rebuild() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_rows bigint;
BEGIN
  LOCK TABLE figure_documents, figure_outcomes IN EXCLUSIVE MODE;
  DELETE FROM figure_outcomes;
  DELETE FROM figure_documents;
  INSERT INTO figure_documents (document_id, sender, paper_record, issued_on, copies, delivered, paper, failed, signed, pipeline_failed)
  WITH latest AS (
    SELECT DISTINCT ON (x.document_id, x.dispatch_id) x.document_id, x.kind FROM ledger x
     WHERE x.document_id IS NOT NULL AND x.dispatch_id IS NOT NULL
       AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
     ORDER BY x.document_id, x.dispatch_id, x.id DESC
  ), per_document AS (
    SELECT document_id,
           count(*) FILTER (WHERE kind = 'dispatch_delivered')::int AS delivered,
           count(*) FILTER (WHERE kind = 'dispatch_paper')::int AS paper,
           count(*) FILTER (WHERE kind = 'dispatch_failed')::int AS failed
      FROM latest GROUP BY document_id
  )
  SELECT d.id, l.sender, false, d.issued_on,
         COALESCE((l.detail->>'recipients')::int, (SELECT count(*)::int FROM dispatches x WHERE x.document_id = d.id)),
         COALESCE(o.delivered, 0), COALESCE(o.paper, 0), COALESCE(o.failed, 0),
         EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id AND f.role = 'signed'),
         d.status = 'failed'
    FROM documents d
    JOIN ledger l ON l.kind = 'document_accepted' AND l.document_id = d.id AND l.dispatch_id IS NULL
    LEFT JOIN per_document o ON o.document_id = d.id
  UNION ALL
  SELECT p.id, l.sender, true, p.issued_on, count(*)::int, 0, count(*)::int, 0, false, false
    FROM paper_documents p JOIN ledger l ON l.kind = 'paper_recorded' AND l.document_id = p.id
   GROUP BY p.id, l.sender, p.issued_on;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  INSERT INTO figure_outcomes (issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed, documents)
  SELECT issued_on, sender, copies, delivered, paper, failed, signed, pipeline_failed, count(*)::int
    FROM figure_documents GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  RETURN v_rows;
END $$;

SELECT lt_figures_rebuild();
