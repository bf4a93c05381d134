-- Search scoped inside the index (issue 19). Search had to find every agency's matches in
-- documents_search_tsv and then keep the caller's: a common word costs as much as the whole
-- province's documents. readers lists the agencies that may read a document (the sender, its
-- recipients, group members expanded as at sending), and one GIN index over (readers,
-- search_tsv) intersects "readable by me" with the words before any row is read. It is only an
-- accelerator: every search still joins the agency's own copy (or is the sender).

ALTER TABLE documents ADD COLUMN readers text[];

CREATE FUNCTION lt_document_readers(sender text, recipients jsonb) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT DISTINCT r FROM (
      SELECT sender AS r
      UNION ALL
      SELECT v FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v WHERE v NOT LIKE 'group:%'
      UNION ALL
      SELECT m.agency_code FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(recipients) = 'array' THEN recipients ELSE '[]' END) v
        JOIN agency_group_members m ON v = 'group:' || m.group_id) x)
$$;

CREATE OR REPLACE FUNCTION lt_document_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head text;
  people text;
  content text;
BEGIN
  head := concat_ws(' ', NEW.number || '/' || NEW.notation, NEW.document_type,
                    (SELECT name FROM document_type_names WHERE code = NEW.document_type), NEW.subject, NEW.summary);
  people := concat_ws(' ',
    (SELECT name FROM agencies WHERE code = NEW.sender_code),
    NEW.signer->>'fullName', NEW.signer->>'position', NEW.place,
    (SELECT string_agg(COALESCE(a.name, g.name, r.v), ' ')
       FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.recipients_ref) = 'array' THEN NEW.recipients_ref ELSE '[]' END) r(v)
       LEFT JOIN agencies a ON a.code = r.v
       LEFT JOIN agency_groups g ON r.v = 'group:' || g.id),
    (SELECT string_agg(t, ' ') FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.recipients_text) = 'array' THEN NEW.recipients_text ELSE '[]' END) t));
  content := (SELECT left(c.content, 200000) FROM document_texts c WHERE c.document_id = NEW.id);
  NEW.readers := lt_document_readers(NEW.sender_code, NEW.recipients_ref);
  NEW.search_meta := lt_fold(concat_ws(' ', head, people));
  NEW.search_tsv := setweight(to_tsvector('simple', lt_words(head)), 'A')
                 || setweight(to_tsvector('simple', lt_words(people)), 'B')
                 || setweight(to_tsvector('simple', lt_words(COALESCE(content, ''))), 'D');
  RETURN NEW;
END $$;

-- Existing documents: their readers as sent (recipients beyond recipients_ref came from dispatches).
UPDATE documents d SET readers = ARRAY(SELECT DISTINCT r FROM (
    SELECT d.sender_code AS r UNION ALL SELECT x.recipient_code FROM dispatches x WHERE x.document_id = d.id) s);

DROP INDEX documents_search_tsv;
CREATE INDEX documents_search_readers ON documents USING gin (readers, search_tsv);
