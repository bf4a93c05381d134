-- Issue 25, item 1: ONE deliver job per document for its hosted recipients.
--
-- Until now each copy had its own deliver job, and a hosted copy's delivery was a read and one
-- record_dispatch_outcome() statement, each taking the sender's ledger chain lock: five recipients,
-- five jobs, ten statements, five waits on one lock. Here every open hosted copy of a document is
-- delivered (or, at the end of its retries, failed) by one statement (recordHostedOutcomes in
-- services/domain/dispatches/dispatch.repository.ts): record_hosted_outcomes() below makes the
-- document's read, the compare-and-set moves, the timeline events and one NOTIFY per copy, then the
-- same statement appends the ledger rows in chain order with ledger_append_many() under ONE
-- acquisition of the chain lock, last. Push, relay, axis and paper copies keep their own jobs and
-- record_dispatch_outcome().

-- Several rows appended to ONE chain, in the order given, under one lock: the same rows, ids,
-- hashes and idempotency as calling ledger_append() once per row in that order (a row the unique
-- indexes already hold is skipped, and the next row links to the last row written, so the chain
-- never points at a row that does not exist). Returns how many rows were written.
CREATE FUNCTION ledger_append_many(
  p_chain text, p_kinds text[], p_document_ids uuid[], p_dispatch_ids uuid[], p_senders text[],
  p_recipients text[], p_channels text[], p_details text[]
) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_prev text;
  v_id bigint;
  v_at text;
  v_detail text;
  v_hash text;
  v_count integer;
  v_written integer := 0;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'ledger_append_many needs READ COMMITTED, not %', current_setting('transaction_isolation')
      USING ERRCODE = 'invalid_transaction_state';
  END IF;
  IF COALESCE(cardinality(p_kinds), 0) = 0 THEN
    RETURN 0;
  END IF;
  -- The key ledger_append() takes: one order of locks for every writer of the chain.
  PERFORM pg_advisory_xact_lock(7315002, hashtext(p_chain));
  SELECT l.hash INTO v_prev FROM ledger l WHERE l.chain = p_chain ORDER BY l.id DESC LIMIT 1;
  v_prev := COALESCE(v_prev, repeat('0', 64));
  v_at := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  FOR i IN 1 .. cardinality(p_kinds) LOOP
    v_id := nextval('ledger_id_seq');
    v_detail := COALESCE(p_details[i], '{}');
    v_hash := encode(sha256(convert_to(ledger_hash_input(
      v_id, v_at, p_kinds[i], p_document_ids[i]::text, p_dispatch_ids[i]::text, p_senders[i], p_recipients[i], p_channels[i],
      v_detail, v_prev, p_chain), 'UTF8')), 'hex');
    INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
    VALUES (v_id, v_at::timestamptz, p_kinds[i], p_document_ids[i], p_dispatch_ids[i], p_senders[i], p_recipients[i], p_channels[i],
            v_detail::jsonb, v_prev, v_hash, p_chain)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count = 1 THEN
      v_prev := v_hash;
      v_written := v_written + 1;
    END IF;
  END LOOP;
  RETURN v_written;
END $$;

-- The outcome of every OPEN copy of a document on the hosted channel (its channel, or none yet:
-- the deliver stage's `channel ?? hosted`):
--  * the document's row is read with FOR KEY SHARE, so a revoke (which takes it FOR UPDATE first)
--    runs wholly before or wholly after this; with p_routed_only nothing happens unless it is
--    `routed` (a delivery; a final failure records whatever is still open);
--  * each copy moves out of p_from (compare-and-set: a copy delivered, revoked or failed meanwhile
--    is left alone, so a re-run writes nothing) with the columns record_dispatch_outcome() sets;
--  * one timeline event and one NOTIFY per copy moved (the payload record_dispatch_outcome's
--    callers send: {"dispatchId","documentId","status"}), in recipient order.
-- Returns the copies moved, in recipient order (n), each with its ledger row's fields (kind,
-- document, dispatch, sender, recipient, channel, detail, chain) and the sender's channel (a push
-- sender is owed an arrival webhook per copy). Like record_dispatch_outcome(), it appends no ledger
-- row itself: the one statement that calls it (recordHostedOutcomes, dispatch.repository.ts)
-- appends them after it with the ledger module's ledger_append_many() call, so the chain's lock is
-- taken last, once.
CREATE FUNCTION record_hosted_outcomes(
  p_document_id uuid, p_from text[], p_status text, p_delivered boolean, p_routed_only boolean,
  p_event_code text, p_actor text, p_last_error text, p_note text, p_kind text
) RETURNS TABLE (n integer, kind text, document_id uuid, dispatch_id uuid, sender text, recipient text, channel text,
                 detail text, chain text, sender_channel text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_sender text;
  v_status text;
  v_sender_channel text;
  v_ids uuid[];
  v_recipients text[];
  v_channels text[];
BEGIN
  SELECT d.sender_code, d.status INTO v_sender, v_status FROM documents d WHERE d.id = p_document_id FOR KEY SHARE;
  IF NOT FOUND OR (p_routed_only AND v_status <> 'routed') THEN
    RETURN;
  END IF;
  WITH moved AS (
    UPDATE dispatches x SET status = p_status, updated_at = now(),
           delivered_at = CASE WHEN p_delivered THEN now() ELSE x.delivered_at END,
           last_error = p_last_error,
           next_attempt_at = NULL
     WHERE x.document_id = p_document_id AND x.status = ANY(p_from) AND COALESCE(x.channel, 'hosted') = 'hosted'
    RETURNING x.id, x.recipient_code AS rc, x.channel AS ch
  )
  SELECT array_agg(m.id ORDER BY m.rc, m.id), array_agg(m.rc ORDER BY m.rc, m.id),
         array_agg(CASE WHEN p_delivered THEN COALESCE(m.ch, 'hosted') ELSE m.ch END ORDER BY m.rc, m.id)
    INTO v_ids, v_recipients, v_channels
    FROM moved m;
  IF COALESCE(cardinality(v_ids), 0) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO dispatch_events (dispatch_id, code, actor, note)
  SELECT u.id, p_event_code, p_actor, p_note FROM unnest(v_ids) WITH ORDINALITY AS u(id, i) ORDER BY u.i;
  -- Delivered to listeners at commit, in this order. The text is JSON.stringify's (uuids and
  -- statuses need no escaping).
  PERFORM pg_notify('lienthong_dispatch', '{"dispatchId":"' || u.id || '","documentId":"' || p_document_id
                                          || '","status":"' || p_status || '"}')
     FROM unnest(v_ids) WITH ORDINALITY AS u(id, i) ORDER BY u.i;
  SELECT s.channel INTO v_sender_channel FROM agencies s WHERE s.code = v_sender;
  RETURN QUERY
    SELECT u.i::integer, p_kind, p_document_id, u.id, v_sender, u.rc, u.ch, '{}'::text, v_sender, v_sender_channel
      FROM unnest(v_ids, v_recipients, v_channels) WITH ORDINALITY AS u(id, rc, ch, i) ORDER BY u.i;
END $$;
