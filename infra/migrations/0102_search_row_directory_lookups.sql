-- Issue 25, item 1: a document's search row looks its recipients up by key instead of reading the
-- whole directory.
--
-- lt_search_row() named each recipient through `LEFT JOIN agencies a ON a.code = r.v` and
-- `LEFT JOIN agency_groups g ON r.v = 'group:' || g.id`; lt_document_readers() expanded groups
-- through `JOIN agency_group_members m ON v = 'group:' || m.group_id`. A join on an expression of
-- the directory's column cannot use its key, and the recipients' list is a function the planner
-- guesses at 100 rows: each document read every agency and every group membership (a benchmark
-- run: one sequential scan of agencies and one of agency_group_members per document, 575 and 550
-- rows, growing with the directory). Now every recipient is one probe of a primary key: the
-- agency by its code, the group by the part after 'group:', the group's members by group_id (the
-- leading column of agency_group_members' key). The results are the same: names in the
-- recipients' order (now said with ORDER BY; the join gave that order without promising it), the
-- readers as a sorted set.

CREATE OR REPLACE FUNCTION lt_document_readers(sender text, recipients jsonb) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT r FROM (
      SELECT sender AS r
      UNION ALL
      SELECT '>' || sender
      UNION ALL
      SELECT v FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v WHERE v NOT LIKE 'group:%'
      UNION ALL
      SELECT m.agency_code
        FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v
        CROSS JOIN LATERAL (SELECT g.agency_code FROM agency_group_members g WHERE g.group_id = substr(v, 7)) m
       WHERE v LIKE 'group:%') x ORDER BY r)
$$;

CREATE OR REPLACE FUNCTION lt_search_row(d documents) RETURNS document_search LANGUAGE plpgsql AS $$
DECLARE
  head text;
  people text;
  content text;
BEGIN
  head := concat_ws(' ', d.number || '/' || d.notation, d.document_type,
                    (SELECT name FROM document_type_names WHERE code = d.document_type), d.subject, d.summary);
  people := concat_ws(' ',
    (SELECT name FROM agencies WHERE code = d.sender_code),
    d.signer->>'fullName', d.signer->>'position', d.place,
    (SELECT string_agg(COALESCE((SELECT a.name FROM agencies a WHERE a.code = r.v),
                                CASE WHEN r.v LIKE 'group:%' THEN (SELECT g.name FROM agency_groups g WHERE g.id = substr(r.v, 7)) END,
                                r.v), ' ' ORDER BY r.i)
       FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(d.recipients_ref) = 'array' THEN d.recipients_ref ELSE '[]' END) WITH ORDINALITY r(v, i)),
    (SELECT string_agg(t, ' ') FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(d.recipients_text) = 'array' THEN d.recipients_text ELSE '[]' END) t));
  content := (SELECT left(c.content, 200000) FROM document_texts c WHERE c.document_id = d.id);
  RETURN ROW(d.id, d.sender_code, d.created_at, d.document_type, d.urgency, d.issued_on,
             lt_document_readers(d.sender_code, d.recipients_ref),
             lt_fold(concat_ws(' ', head, people)),
             setweight(to_tsvector('simple', lt_search_words(head)), 'A')
               || setweight(to_tsvector('simple', lt_search_words(people)), 'B')
               || setweight(to_tsvector('simple', lt_search_words(content)), 'D'))::document_search;
END $$;
