-- A ledger append in one statement, and a delivery outcome in one statement.
--
-- Until now an append was `ledger_reserve_in()` (take the chain's lock, read the tail) and then an
-- INSERT of the row hashed in JavaScript, and the lock was held until the caller's COMMIT: three
-- client round trips at least, each stretched whenever the worker's event loop was busy with a
-- conversion or a signature. The benchmark found PostgreSQL backends queueing on Lock/advisory.
-- Here the database builds the hash input itself, so the lock is taken, used and (in autocommit)
-- released without waiting on the client at all.
--
-- The lock key is the one ledger_reserve_in() takes, so old and new code can append to the same
-- chains during a rolling upgrade. ledger_reserve_in() is kept for that reason.

-- A JSON string exactly as JavaScript's JSON.stringify writes it, or null. PostgreSQL's escape_json
-- and JSON.stringify agree on every string PostgreSQL text can hold: \" \\ \b \f \n \r \t, the other
-- code points below U+0020 as \u00xx in lowercase hex, and everything else (non-ASCII included) as
-- is. (They differ only on lone UTF-16 surrogates, which text cannot hold, and NUL, which it refuses.)
CREATE FUNCTION ledger_json_text(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(to_json(v)::text, 'null')
$$;

-- The exact text a row's hash covers: the same bytes as ledgerHashInput() in
-- services/domain/ledger/ledger.repository.ts, which `ledger verify` recomputes:
-- JSON.stringify([id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash(, chain)]).
-- `p_detail` is the detail already serialised by JSON.stringify (jsonb's own text form puts spaces
-- after ':' and ',', so it cannot be used); the chain is left out when NULL, as for pre-0011 rows.
CREATE FUNCTION ledger_hash_input(
  p_id bigint, p_at text, p_kind text, p_document_id text, p_dispatch_id text, p_sender text,
  p_recipient text, p_channel text, p_detail text, p_prev_hash text, p_chain text
) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT '[' || p_id::text
    || ',' || ledger_json_text(p_at)
    || ',' || ledger_json_text(p_kind)
    || ',' || ledger_json_text(p_document_id)
    || ',' || ledger_json_text(p_dispatch_id)
    || ',' || ledger_json_text(p_sender)
    || ',' || ledger_json_text(p_recipient)
    || ',' || ledger_json_text(p_channel)
    || ',' || p_detail
    || ',' || ledger_json_text(p_prev_hash)
    || CASE WHEN p_chain IS NULL THEN '' ELSE ',' || ledger_json_text(p_chain) END
    || ']'
$$;

-- Appends one row to `p_chain` in one call: lock, tail, id, hash, insert. Returns true when a row
-- was written, false when the unique indexes say this (kind, dispatch) or (kind, document) is
-- already in the ledger (a re-run stage counts once; the id it took is skipped, which the chain,
-- made of prev_hash links, does not notice). The lock is held to the end of the caller's
-- transaction: called in autocommit (or last before COMMIT), that is as short as it can be.
CREATE FUNCTION ledger_append(
  p_kind text, p_document_id uuid, p_dispatch_id uuid, p_sender text, p_recipient text,
  p_channel text, p_detail text, p_chain text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_prev text;
  v_id bigint;
  v_at text;
  v_detail text := COALESCE(p_detail, '{}');
  v_hash text;
  v_count integer;
BEGIN
  -- The tail below must be read after the lock, in a snapshot taken after the previous holder
  -- committed. In READ COMMITTED each statement of a VOLATILE function takes a fresh snapshot
  -- (keep this function VOLATILE); in REPEATABLE READ or SERIALIZABLE the snapshot is the
  -- transaction's first one, the tail could be stale, and the chain would fork: refuse.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'ledger_append needs READ COMMITTED, not %', current_setting('transaction_isolation')
      USING ERRCODE = 'invalid_transaction_state';
  END IF;
  PERFORM pg_advisory_xact_lock(7315002, hashtext(p_chain));
  SELECT l.hash INTO v_prev FROM ledger l WHERE l.chain = p_chain ORDER BY l.id DESC LIMIT 1;
  v_prev := COALESCE(v_prev, repeat('0', 64));
  v_id := nextval('ledger_id_seq');
  -- The form `ledger verify` reads `at` back in; now() has microseconds, so the text is exact.
  v_at := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  v_hash := encode(sha256(convert_to(ledger_hash_input(
    v_id, v_at, p_kind, p_document_id::text, p_dispatch_id::text, p_sender, p_recipient, p_channel,
    v_detail, v_prev, p_chain), 'UTF8')), 'hex');
  INSERT INTO ledger (id, at, kind, document_id, dispatch_id, sender, recipient, channel, detail, prev_hash, hash, chain)
  VALUES (v_id, v_at::timestamptz, p_kind, p_document_id, p_dispatch_id, p_sender, p_recipient, p_channel,
          v_detail::jsonb, v_prev, v_hash, p_chain)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count = 1;
END $$;

-- A delivery's outcome (hosted, push or paper) in one statement: the compare-and-set move out of
-- `p_from`, the paper packet, the timeline event, the NOTIFY and the ledger row, in that order.
-- Executed in autocommit it is its own transaction, so the chain's lock, taken last, is held only
-- inside the server until the implicit commit, never across a client round trip. Returns false,
-- having written nothing, when the dispatch was no longer in `p_from` (a re-run, a revoke).
CREATE FUNCTION record_dispatch_outcome(
  p_dispatch_id uuid, p_from text[], p_status text, p_delivered boolean,
  p_packet_role text, p_packet_sha256 text,
  p_event_code text, p_actor text, p_notify text,
  p_kind text, p_document_id uuid, p_sender text, p_recipient text, p_channel text, p_detail text, p_chain text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- The same columns moveDispatchStatus() sets (last_error cleared, incoming_number kept).
  UPDATE dispatches SET status = p_status, updated_at = now(),
         delivered_at = CASE WHEN p_delivered THEN now() ELSE delivered_at END,
         last_error = NULL
   WHERE id = p_dispatch_id AND status = ANY(p_from);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF p_packet_sha256 IS NOT NULL THEN
    INSERT INTO dispatch_files (dispatch_id, role, blob_sha256) VALUES (p_dispatch_id, p_packet_role, p_packet_sha256)
    ON CONFLICT (dispatch_id, role) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256;
  END IF;
  INSERT INTO dispatch_events (dispatch_id, code, actor, note) VALUES (p_dispatch_id, p_event_code, p_actor, NULL);
  -- Delivered to listeners at commit, like any NOTIFY.
  PERFORM pg_notify('lienthong_dispatch', p_notify);
  -- Last: the chain's lock is held from here to the commit.
  PERFORM ledger_append(p_kind, p_document_id, p_dispatch_id, p_sender, p_recipient, p_channel, p_detail, p_chain);
  RETURN true;
END $$;
