-- The kept text's arrival refreshes only the words it brings (issues 19 and 25).
--
-- When a document's text arrives (or changes, or is disposed of), its document_search row was
-- computed again whole by lt_search_row(): the metadata, the agencies' names, the recipients, every
-- part folded (unaccent) and scanned for abbreviations, though only the file text had changed. It
-- is the second of the two search refreshes every converted document pays. Now the text's trigger
-- keeps the row's metadata words (weights A and B, ts_filter) and puts the new text's words
-- (weight D) after them: the same tsvector lt_search_row() computes (the text's positions follow
-- the metadata's in both), which test/integration/search/search-text-refresh.test.ts checks. The
-- document's own changes still recompute the row whole (lt_document_search_row, 0093).

CREATE FUNCTION lt_search_text_words(p_document_id uuid) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('simple', lt_search_words((SELECT left(c.content, 200000) FROM document_texts c WHERE c.document_id = p_document_id))), 'D')
$$;

CREATE OR REPLACE FUNCTION lt_document_text_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid := COALESCE(NEW.document_id, OLD.document_id);
BEGIN
  UPDATE document_search s SET search_tsv = ts_filter(s.search_tsv, '{a,b}') || lt_search_text_words(v_id)
   WHERE s.document_id = v_id;
  IF NOT FOUND THEN
    -- No search row yet (not expected: the document's insert writes it): computed whole.
    PERFORM lt_search_refresh(d) FROM documents d WHERE d.id = v_id;
  END IF;
  RETURN NULL;
END $$;
