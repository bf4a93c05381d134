-- `ledger verify` at a province's size (issue 25): the database recomputes every row's hash and
-- checks every prev_hash link itself, one id slice per call of ledger_verify_slice(), slices
-- verified in parallel by the CLI, instead of sending each row to be hashed in JavaScript.

-- JSON.stringify(detail) for the details the product writes: an object (keys in jsonb's order,
-- which is the order appendLedger hashes, see jsonbOrdered()) whose values are strings, booleans,
-- null or integers of at most 15 digits. For any other detail (a nested object or array, a
-- fraction, an exponent) it returns NULL: the row's hash then does not match in the database and
-- the verifier re-checks that row in TypeScript with the full rules (every key order, any JSON).
-- So a match in the database is always a match of the very bytes appendLedger hashed (this
-- serialisation is one-to-one). to_json(text) writes strings exactly as JSON.stringify does (see
-- ledger_json_text, migration 0012).
CREATE FUNCTION ledger_detail_json(d jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  k text;
  v jsonb;
  t text;
  out text := '';
BEGIN
  IF d = '{}'::jsonb THEN
    RETURN '{}';
  END IF;
  IF jsonb_typeof(d) <> 'object' THEN
    RETURN NULL;
  END IF;
  FOR k, v IN SELECT e.key, e.value FROM jsonb_each(d) AS e LOOP
    t := jsonb_typeof(v);
    IF t = 'string' THEN
      out := out || ',' || to_json(k)::text || ':' || to_json(v #>> '{}')::text;
    ELSIF t = 'number' AND v::text ~ '^-?(0|[1-9][0-9]{0,14})$' THEN
      out := out || ',' || to_json(k)::text || ':' || v::text;
    ELSIF t = 'boolean' OR t = 'null' THEN
      out := out || ',' || to_json(k)::text || ':' || v::text;
    ELSE
      RETURN NULL;
    END IF;
  END LOOP;
  RETURN '{' || substr(out, 2) || '}';
END $$;

-- One slice [p_from, p_to) of ids: how many rows, the ids whose prev_hash is not the hash of the
-- previous row of their chain (by id; genesis for a chain's first row; a slice's first row of a
-- chain looks its predecessor up by the (chain, id) index), and the ids whose hash the database
-- could not confirm (hash mismatch, or a detail ledger_detail_json does not serialise). JIT off:
-- compiling the expressions cost more than the slice itself; work_mem for the window's sort; no
-- parallel workers (slices run in parallel already; a Gather Merge of 100k wide rows cost more
-- than it saved).
CREATE FUNCTION ledger_verify_slice(p_from bigint, p_to bigint)
RETURNS TABLE (n integer, bad_links bigint[], unconfirmed bigint[])
LANGUAGE sql STABLE SET jit = off SET work_mem = '64MB' SET max_parallel_workers_per_gather = 0 AS $$
  SELECT count(*)::int,
         COALESCE(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.bad_link), '{}'),
         COALESCE(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.bad_hash), '{}')
    FROM (
      SELECT l.id,
             l.prev_hash IS DISTINCT FROM COALESCE(
               lag(l.hash) OVER w,
               CASE WHEN l.chain IS NULL
                    THEN (SELECT p.hash FROM ledger p WHERE p.chain IS NULL AND p.id < l.id ORDER BY p.id DESC LIMIT 1)
                    ELSE (SELECT p.hash FROM ledger p WHERE p.chain = l.chain AND p.id < l.id ORDER BY p.chain DESC, p.id DESC LIMIT 1) END,
               repeat('0', 64)) AS bad_link,
             l.hash IS DISTINCT FROM encode(sha256(convert_to(ledger_hash_input(
               l.id, to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), l.kind, l.document_id::text,
               l.dispatch_id::text, l.sender, l.recipient, l.channel,
               CASE WHEN l.detail = '{}'::jsonb THEN '{}' ELSE ledger_detail_json(l.detail) END, l.prev_hash, l.chain), 'UTF8')), 'hex') AS bad_hash
        FROM ledger l
       WHERE l.id >= p_from AND l.id < p_to
      WINDOW w AS (PARTITION BY l.chain ORDER BY l.id)
    ) s
$$;
