-- One hash chain per sending agency instead of one for the province. The single chain made every
-- accept and every delivery of every agency wait on one lock (the benchmark found most backends
-- queueing on it); per-agency chains keep each agency's history tamper-evident, in order, and let
-- agencies append in parallel. Rows written before this migration keep chain NULL: they form the
-- legacy chain, which `ledger verify` walks as before.
ALTER TABLE ledger ADD COLUMN chain text;
CREATE INDEX ledger_chain_tail ON ledger (chain, id DESC);

CREATE FUNCTION ledger_reserve_in(p_chain text) RETURNS TABLE (tail_hash text, next_id bigint, at_text text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7315002, hashtext(p_chain));
  RETURN QUERY SELECT
    COALESCE((SELECT l.hash FROM ledger l WHERE l.chain = p_chain ORDER BY l.id DESC LIMIT 1), repeat('0', 64)),
    nextval('ledger_id_seq')::bigint,
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
END $$;
