-- One round trip for the part of a ledger append that must be serialised: take the chain's lock,
-- read the tail's hash, reserve the next id and the timestamp. The caller hashes the row and
-- inserts it; the lock is held until its transaction ends. (The benchmark found appends queueing
-- on this lock while four separate statements ran under it.)
CREATE FUNCTION ledger_reserve() RETURNS TABLE (tail_hash text, next_id bigint, at_text text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7315002);
  RETURN QUERY SELECT
    COALESCE((SELECT l.hash FROM ledger l ORDER BY l.id DESC LIMIT 1), repeat('0', 64)),
    nextval('ledger_id_seq')::bigint,
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
END $$;
