-- Issue 18, one writer per table. A delivery's outcome, success or final failure, is recorded by
-- record_dispatch_outcome(), so the deliver worker runs no SQL of its own; and the function no
-- longer appends the ledger row itself: the statement that calls it appends the row with
-- ledger_append(), as every other ledger row is appended (services/domain/ledger/ledger.repository.ts
-- writes that call; dispatch.repository.ts puts it last in the same statement, so the chain's lock
-- is still taken last and the outcome is still one statement, one round trip).
-- New: the failure's last error and the event's note (NULL for a success); any next attempt is
-- cleared (an outcome ends the attempts; a success had cleared it already with its attempt's row).
DROP FUNCTION record_dispatch_outcome(uuid, text[], text, boolean, text, text, text, text, text, text, uuid, text, text, text, text, text);

CREATE FUNCTION record_dispatch_outcome(
  p_dispatch_id uuid, p_from text[], p_status text, p_delivered boolean,
  p_packet_role text, p_packet_sha256 text,
  p_event_code text, p_actor text, p_notify text,
  p_last_error text, p_note text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- The same columns moveDispatchStatus() sets (incoming_number kept).
  UPDATE dispatches SET status = p_status, updated_at = now(),
         delivered_at = CASE WHEN p_delivered THEN now() ELSE delivered_at END,
         last_error = p_last_error,
         next_attempt_at = NULL
   WHERE id = p_dispatch_id AND status = ANY(p_from);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF p_packet_sha256 IS NOT NULL THEN
    INSERT INTO dispatch_files (dispatch_id, role, blob_sha256) VALUES (p_dispatch_id, p_packet_role, p_packet_sha256)
    ON CONFLICT (dispatch_id, role) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256;
  END IF;
  INSERT INTO dispatch_events (dispatch_id, code, actor, note) VALUES (p_dispatch_id, p_event_code, p_actor, p_note);
  -- Delivered to listeners at commit, like any NOTIFY.
  PERFORM pg_notify('lienthong_dispatch', p_notify);
  RETURN true;
END $$;
