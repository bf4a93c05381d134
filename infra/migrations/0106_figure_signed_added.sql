-- Issue 25, item 1: a signed file added moves the document's counted row by `signed` only.
--
-- Signing a document adds its 'signed' file (document_files), and the row trigger of 0087
-- (document_files_signed_added → lt_figure_document_row) recounted the whole document with
-- lt_figure_refresh(): its sender looked up in the ledger, its accept row and documents row joined,
-- its copies counted, a document_files probe, a DISTINCT ON over its outcome rows, then the move.
-- Everything but `signed` is already in the counted row, kept in step by the other triggers; the
-- outcome triggers (0087's lt_figure_ledger_row, 0096's batch) rely on the same thing. In a profile
-- of the one-page-to-5 benchmark that recount was ~0.36 ms of statement time per document.
--
-- Now the trigger reads the document's counted row (its sender), takes that sender's chain lock,
-- locks the row and, if it is not counted as signed yet, moves it by `signed` alone (lt_figure_move:
-- one -1, one +1, the row updated). The order of locks is the recount's: chain lock, then the row.
-- Anything else keeps the full recount: no counted row yet (a file signed before the accept row:
-- the accept row's trigger counts it), a paper record, the row gone by the time it is locked.
-- Removing a signed file (disposal) keeps the recount: another signed file may remain.

CREATE FUNCTION lt_figure_signed_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_sender text;
  cur figure_documents%ROWTYPE;
BEGIN
  -- A document's sender never changes; reading it before the lock is safe.
  SELECT f.sender INTO v_sender FROM figure_documents f
   WHERE f.document_id = NEW.document_id AND NOT f.paper_record
   LIMIT 1;
  IF FOUND THEN
    PERFORM pg_advisory_xact_lock(7315002, hashtext(v_sender));
    SELECT * INTO cur FROM figure_documents
     WHERE document_id = NEW.document_id AND sender = v_sender AND NOT paper_record FOR UPDATE;
  END IF;
  IF v_sender IS NULL OR cur.document_id IS NULL THEN
    PERFORM lt_figure_refresh(NEW.document_id, false, NULL);
  ELSIF NOT cur.signed THEN
    PERFORM lt_figure_move(cur, cur.issued_on, cur.copies, cur.delivered, cur.paper, cur.failed, true, cur.pipeline_failed);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER document_files_signed_added ON document_files;
CREATE TRIGGER document_files_signed_added AFTER INSERT ON document_files FOR EACH ROW
  WHEN (NEW.role = 'signed') EXECUTE FUNCTION lt_figure_signed_row();
