-- A broad search's sent documents through the index (issue 19).
--
-- A search matching more documents than the count limit is answered by walking the agency's
-- lists newest first and probing each row's words (services/domain/search/broad-search.ts). When
-- the words are common in what the agency received but rare in what it sent, the walk of its sent
-- documents would read them all to fill one page. The search then asks the index instead: readers
-- now also holds '>' followed by the sender's code, so "sent by me and matching the words" is one
-- intersection of posting lists in the (readers, search_tsv) GIN index, the same way "readable by
-- me" is. The sender keeps its plain entry too: every other use of readers is unchanged. The
-- set now comes sorted (its order means nothing; sorted, a recomputed row is byte-equal).

CREATE OR REPLACE FUNCTION lt_document_readers(sender text, recipients jsonb) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT r FROM (
      SELECT sender AS r
      UNION ALL
      SELECT '>' || sender
      UNION ALL
      SELECT v FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v WHERE v NOT LIKE 'group:%'
      UNION ALL
      SELECT m.agency_code FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v
        JOIN agency_group_members m ON v = 'group:' || m.group_id) x ORDER BY r)
$$;

-- Every row gains its marker; the index is built again after the rewrite rather than updated
-- row by row (at 1,000,000 documents: minutes, see README "Upgrading a large database").
DROP INDEX document_search_readers;
UPDATE document_search SET readers = readers || ('>' || sender_code) WHERE NOT readers @> ARRAY['>' || sender_code];
CREATE INDEX document_search_readers ON document_search USING gin (readers, search_tsv);
ANALYZE document_search;
