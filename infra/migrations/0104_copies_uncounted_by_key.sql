-- Issue 25, item 1: ledger_append_many()'s "none of these copies counted yet" check probes each
-- copy by its key.
--
-- The check (0096) was two sub-selects, `figure_copies.dispatch_id = ANY(ids)` and the same on the
-- ledger's outcome rows. PL/pgSQL keeps its plan for the connection, and the plan for figure_copies
-- depended on the table's statistics when it was made: a benchmark of the one-page-to-5 pipeline
-- showed one sequential scan of figure_copies per hosted delivery for the whole run (2,026 scans,
-- 11,093,215 rows read for 1,971 documents; pg_stat_user_tables), a cost that grows with every
-- copy ever delivered until something analyzes the table and the connection replans. Each copy is
-- now looked up on its own by equality on a unique key (figure_copies' primary key; the ledger's
-- ledger_once_per_dispatch on (kind, dispatch_id)), a plan no statistics make a scan of the table.
-- Same answer, same order of locks; ledger_append_many() is restated whole with the one call.

CREATE FUNCTION lt_copies_uncounted(p_dispatch_ids uuid[]) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  d uuid;
BEGIN
  FOREACH d IN ARRAY COALESCE(p_dispatch_ids, '{}') LOOP
    IF EXISTS (SELECT 1 FROM figure_copies c WHERE c.dispatch_id = d)
       OR EXISTS (SELECT 1 FROM ledger x WHERE x.dispatch_id = d AND x.kind IN ('dispatch_delivered', 'dispatch_paper', 'dispatch_failed')) THEN
      RETURN false;
    END IF;
  END LOOP;
  RETURN true;
END $$;

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
    AND lt_copies_uncounted(p_dispatch_ids);
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
