-- Issue 25, item 1: a document's hosted copies move the rollups once, not once per copy.
--
-- A hosted delivery appends the document's outcome rows (one per copy, in recipient order) with
-- ledger_append_many() (0089). Until now each row's trigger (ledger_figures: lt_figure_ledger_row,
-- 0087/0088/0091) then did, per copy: a probe for the copy's previous outcome, lt_copy_refresh()
-- (figure_copies read FOR UPDATE, the copy's days read, figure_copies inserted, the on-time
-- counts upserted), figure_documents read FOR UPDATE and lt_figure_move() (two figure_outcomes upserts and
-- the figure_documents update): for five copies five trigger calls, ten figure_outcomes upserts
-- through four intermediate tuples and five figure_documents updates.
--
-- Now, when every row of the call is the FIRST outcome of its copy (the common case: a routed
-- document's hosted copies delivered, or failed at the end of their retries), and they are one
-- document's copies of one sender, ledger_append_many() turns the per-row trigger off for its own
-- rows (the transaction-local setting lienthong.figures_batch, read by the trigger's WHEN) and
-- moves the rollups once after the rows are written (lt_figures_first_outcomes below):
--   * figure_copies: one row per copy delivered, the same days and registration verdict
--     lt_copy_refresh() writes (0094); figure_on_time_months: those copies counted in one upsert,
--     grouped by (issue month, recipient), in key order (the order the per-row path took them in);
--   * figure_documents / figure_outcomes: the document moved ONCE from its counted tuple to the
--     tuple with every copy's outcome added (lt_figure_move: one -1 and one +1), instead of
--     through each intermediate tuple.
-- The arithmetic is the per-row path's: each copy has no previous outcome, so each row adds one
-- to its kind's count and, when delivered, counts the copy into its month. The only visible
-- difference: the per-row path left rows with documents = 0 in figure_outcomes for the
-- intermediate tuples it passed through (as lt_figures_rebuild() does not); the batch does not
-- create them. Every sum the rate reads is the same. Anything else — a copy with an earlier
-- outcome, a figure_copies row already there, rows of several documents, senders or of one copy
-- twice, a single row — keeps the per-row trigger, unchanged.
--
-- The locks: the chain lock first (ledger_append_many takes it before anything), then the
-- figure_on_time_months rows in key order, then the document's figure_documents row, as before.

CREATE FUNCTION lt_figures_first_outcomes(p_document_id uuid, p_sender text, p_dispatch_ids uuid[], p_kinds text[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  cur figure_documents%ROWTYPE;
  v_delivered integer;
  v_paper integer;
  v_failed integer;
BEGIN
  -- The copies delivered: their days and registration verdict (as lt_copy_refresh, 0094, writes
  -- a copy delivered for the first time), kept, and counted into their months in one upsert.
  WITH n AS MATERIALIZED (
    SELECT x.id AS dispatch_id, d.issued_on, x.recipient_code AS recipient,
           (COALESCE(x.delivered_at, x.created_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS arrived_on,
           ((SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '03') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS registered_on,
           COALESCE(h.deadline_on, d.due_on) AS due_on,
           ((SELECT min(e.at) FROM dispatch_events e WHERE e.dispatch_id = x.id AND e.code = '06') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS completed_on
      FROM unnest(p_dispatch_ids, p_kinds) AS u(id, kind)
      JOIN dispatches x ON x.id = u.id
      JOIN documents d ON d.id = x.document_id
      LEFT JOIN incoming_handling h ON h.dispatch_id = x.id
     WHERE u.kind = 'dispatch_delivered'
  ), v AS MATERIALIZED (
    SELECT n.*, CASE WHEN n.registered_on IS NOT NULL THEN lt_registered_in_time(n.arrived_on, n.registered_on) END AS registered_in_time FROM n
  ), kept AS (
    INSERT INTO figure_copies (dispatch_id, issued_on, recipient, arrived_on, registered_on, due_on, completed_on, registered_in_time)
    SELECT dispatch_id, issued_on, recipient, arrived_on, registered_on, due_on, completed_on, registered_in_time FROM v
  )
  INSERT INTO figure_on_time_months AS t (issued_month, recipient, copies, registered, registered_in_time, with_due, completed, completed_in_time)
  SELECT date_trunc('month', v.issued_on)::date, v.recipient, count(*)::int, sum((v.registered_on IS NOT NULL)::int)::int,
         sum(COALESCE(v.registered_in_time, false)::int)::int, sum((v.due_on IS NOT NULL)::int)::int,
         sum((v.due_on IS NOT NULL AND v.completed_on IS NOT NULL)::int)::int, sum(COALESCE(v.completed_on <= v.due_on, false)::int)::int
    FROM v
   GROUP BY 1, 2
   ORDER BY 1, 2
  ON CONFLICT (issued_month, recipient) DO UPDATE SET
    copies = t.copies + EXCLUDED.copies, registered = t.registered + EXCLUDED.registered,
    registered_in_time = t.registered_in_time + EXCLUDED.registered_in_time, with_due = t.with_due + EXCLUDED.with_due,
    completed = t.completed + EXCLUDED.completed, completed_in_time = t.completed_in_time + EXCLUDED.completed_in_time;

  -- The document's outcome tuple, moved once by all the copies.
  SELECT count(*) FILTER (WHERE k = 'dispatch_delivered')::int, count(*) FILTER (WHERE k = 'dispatch_paper')::int,
         count(*) FILTER (WHERE k = 'dispatch_failed')::int
    INTO v_delivered, v_paper, v_failed
    FROM unnest(p_kinds) AS k;
  SELECT * INTO cur FROM figure_documents WHERE document_id = p_document_id AND sender = p_sender FOR UPDATE;
  IF NOT FOUND OR cur.paper_record THEN
    -- What the per-row trigger does then: the full recount (it ends where the per-row calls end).
    PERFORM lt_figure_refresh(p_document_id, false, NULL);
    RETURN;
  END IF;
  PERFORM lt_figure_move(cur, cur.issued_on, cur.copies, cur.delivered + v_delivered, cur.paper + v_paper,
                         cur.failed + v_failed, cur.signed, cur.pipeline_failed);
END $$;

-- 0087's trigger, with one more condition: not for the rows ledger_append_many() counts itself.
DROP TRIGGER ledger_figures ON ledger;
CREATE TRIGGER ledger_figures AFTER INSERT ON ledger FOR EACH ROW
  WHEN (NEW.document_id IS NOT NULL
        AND NEW.kind IN ('document_accepted', 'dispatch_delivered', 'dispatch_paper', 'dispatch_failed', 'paper_recorded')
        AND current_setting('lienthong.figures_batch', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION lt_figure_ledger_row();

-- 0089's function: the same rows, ids, hashes and idempotency; the rollups moved once when the
-- rows are first outcomes of one document's copies (above).
CREATE OR REPLACE FUNCTION ledger_append_many(
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
  v_batch boolean;
  v_done_ids uuid[] := '{}';
  v_done_kinds text[] := '{}';
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
  -- First outcomes of one document's copies (one sender, each copy once, none counted yet)?
  v_batch := cardinality(p_kinds) > 1
    AND p_document_ids[1] IS NOT NULL AND p_senders[1] IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM unnest(p_kinds, p_document_ids, p_dispatch_ids, p_senders) AS u(k, doc, disp, s)
                     WHERE u.k NOT IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')
                        OR u.doc IS DISTINCT FROM p_document_ids[1] OR u.s IS DISTINCT FROM p_senders[1] OR u.disp IS NULL)
    AND (SELECT count(DISTINCT u) FROM unnest(p_dispatch_ids) AS u) = cardinality(p_dispatch_ids)
    AND NOT EXISTS (SELECT 1 FROM ledger x
                     WHERE x.dispatch_id = ANY(p_dispatch_ids) AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed'))
    AND NOT EXISTS (SELECT 1 FROM figure_copies c WHERE c.dispatch_id = ANY(p_dispatch_ids));
  IF v_batch THEN
    PERFORM set_config('lienthong.figures_batch', 'on', true);
  END IF;
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
      v_done_ids := v_done_ids || p_dispatch_ids[i];
      v_done_kinds := v_done_kinds || p_kinds[i];
    END IF;
  END LOOP;
  IF v_batch THEN
    -- Later ledger rows of this transaction go through the trigger again.
    PERFORM set_config('lienthong.figures_batch', '', true);
    IF v_written > 0 THEN
      PERFORM lt_figures_first_outcomes(p_document_ids[1], p_senders[1], v_done_ids, v_done_kinds);
    END IF;
  END IF;
  RETURN v_written;
END $$;
