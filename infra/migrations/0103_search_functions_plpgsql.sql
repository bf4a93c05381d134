-- Issue 25, item 1: the search row's three SQL-language helpers become PL/pgSQL, so their
-- statements are planned once per connection instead of once per call.
--
-- A LANGUAGE sql function that PostgreSQL cannot inline into its caller (an INSERT, or a body with
-- a sub-select) is parsed, analysed and planned again at every call: lt_search_refresh() (an
-- INSERT … ON CONFLICT into document_search, from the documents trigger), lt_document_readers()
-- (a UNION of four branches under DISTINCT) and lt_search_text_words() (a sub-select) ran that way
-- for every document, and the parser and planner showed among PostgreSQL's top symbols in a
-- profile of the one-page-to-5 benchmark. PL/pgSQL keeps each statement's plan for the life of the
-- connection. Same signatures, same volatility, same results.

CREATE OR REPLACE FUNCTION lt_search_refresh(d documents) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO document_search AS s SELECT r.* FROM lt_search_row(d) r
  ON CONFLICT (document_id) DO UPDATE SET
    sender_code = EXCLUDED.sender_code, created_at = EXCLUDED.created_at, document_type = EXCLUDED.document_type,
    urgency = EXCLUDED.urgency, issued_on = EXCLUDED.issued_on, readers = EXCLUDED.readers,
    search_meta = EXCLUDED.search_meta, search_tsv = EXCLUDED.search_tsv;
END $$;

CREATE OR REPLACE FUNCTION lt_document_readers(sender text, recipients jsonb) RETURNS text[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN ARRAY(SELECT DISTINCT r FROM (
      SELECT sender AS r
      UNION ALL
      SELECT '>' || sender
      UNION ALL
      SELECT v FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v WHERE v NOT LIKE 'group:%'
      UNION ALL
      SELECT m.agency_code
        FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v
        CROSS JOIN LATERAL (SELECT g.agency_code FROM agency_group_members g WHERE g.group_id = substr(v, 7)) m
       WHERE v LIKE 'group:%') x ORDER BY r);
END $$;

CREATE OR REPLACE FUNCTION lt_search_text_words(p_document_id uuid) RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN setweight(to_tsvector('simple', lt_search_words((SELECT left(c.content, 200000) FROM document_texts c WHERE c.document_id = p_document_id))), 'D');
END $$;
