-- The search columns move from documents to their own table, document_search (issue 25, CPU per
-- document; issue 19's search reads them the same way).
--
-- Why: a document's row is updated at every pipeline stage (status, updated_at; the partial index
-- documents_in_flight covers both, so none of these updates can be HOT) and every such update
-- wrote a new entry into every index of documents, the two GIN indexes of search included: a
-- hundred or more trigrams of search_meta and every lexeme of (readers, search_tsv), three or four
-- times per document, for columns that had not changed. The kept text's arrival also rewrote the
-- whole documents row (the trigger's `UPDATE documents SET search_tsv = NULL`). In their own table
-- the search columns are written when a searched field changes and when the text arrives or goes,
-- never by a status move.
--
-- document_search also carries the few immutable columns a search filters on (sender, created_at,
-- type, urgency, issue date), so a broad search reads one narrow row per match and never the
-- documents row.

CREATE TABLE document_search (
  document_id   uuid PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  sender_code   text NOT NULL,
  created_at    timestamptz NOT NULL,
  document_type text NOT NULL,
  urgency       text NOT NULL,
  issued_on     date NOT NULL,
  -- The agencies that may read the document (sender, recipients, group members as at sending):
  -- an accelerator only, every search still joins the agency's own copy or is the sender.
  readers       text[] NOT NULL,
  -- The folded metadata (trigram substring match: "12/qd-ubnd").
  search_meta   text NOT NULL,
  -- Metadata (weights A, B) and the files' text (D) for ranked full-text match.
  search_tsv    tsvector NOT NULL
);

-- One document's search row, computed from its documents row and its kept text, written in place.
-- The expressions are those of lt_document_search (migrations 0035, 0038), which this replaces.
CREATE FUNCTION lt_search_refresh(d documents) RETURNS void LANGUAGE plpgsql AS $$
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
    (SELECT string_agg(COALESCE(a.name, g.name, r.v), ' ')
       FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(d.recipients_ref) = 'array' THEN d.recipients_ref ELSE '[]' END) r(v)
       LEFT JOIN agencies a ON a.code = r.v
       LEFT JOIN agency_groups g ON r.v = 'group:' || g.id),
    (SELECT string_agg(t, ' ') FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(d.recipients_text) = 'array' THEN d.recipients_text ELSE '[]' END) t));
  content := (SELECT left(c.content, 200000) FROM document_texts c WHERE c.document_id = d.id);
  INSERT INTO document_search AS s (document_id, sender_code, created_at, document_type, urgency, issued_on, readers, search_meta, search_tsv)
  VALUES (d.id, d.sender_code, d.created_at, d.document_type, d.urgency, d.issued_on,
          lt_document_readers(d.sender_code, d.recipients_ref),
          lt_fold(concat_ws(' ', head, people)),
          setweight(to_tsvector('simple', lt_words(head)), 'A')
            || setweight(to_tsvector('simple', lt_words(people)), 'B')
            || setweight(to_tsvector('simple', lt_words(COALESCE(content, ''))), 'D'))
  ON CONFLICT (document_id) DO UPDATE SET
    sender_code = EXCLUDED.sender_code, created_at = EXCLUDED.created_at, document_type = EXCLUDED.document_type,
    urgency = EXCLUDED.urgency, issued_on = EXCLUDED.issued_on, readers = EXCLUDED.readers,
    search_meta = EXCLUDED.search_meta, search_tsv = EXCLUDED.search_tsv;
END $$;

CREATE FUNCTION lt_document_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lt_search_refresh(NEW);
  RETURN NULL;
END $$;

-- Status moves do not fire it; a new document or a change of a searched or filtered field does.
DROP TRIGGER documents_search ON documents;
DROP FUNCTION lt_document_search();
CREATE TRIGGER documents_search AFTER INSERT OR UPDATE OF number, notation, document_type, subject, summary, signer, place,
  recipients_ref, recipients_text, sender_code, created_at, urgency, issued_on ON documents
  FOR EACH ROW EXECUTE FUNCTION lt_document_search_row();

-- The kept text arriving, changing or going (disposal deletes it: its words must leave the index
-- too, which the old trigger, on insert and update only, did not do).
CREATE FUNCTION lt_document_text_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lt_search_refresh(d) FROM documents d WHERE d.id = COALESCE(NEW.document_id, OLD.document_id);
  RETURN NULL;
END $$;
DROP TRIGGER document_texts_search ON document_texts;
DROP FUNCTION lt_document_text_changed();
CREATE TRIGGER document_texts_search AFTER INSERT OR UPDATE OR DELETE ON document_texts
  FOR EACH ROW EXECUTE FUNCTION lt_document_text_search();

-- The rows as they are (computed by the old trigger), then the indexes over them.
INSERT INTO document_search (document_id, sender_code, created_at, document_type, urgency, issued_on, readers, search_meta, search_tsv)
SELECT d.id, d.sender_code, d.created_at, d.document_type, d.urgency, d.issued_on,
       COALESCE(d.readers, ARRAY[d.sender_code]), COALESCE(d.search_meta, ''), COALESCE(d.search_tsv, ''::tsvector)
  FROM documents d;
-- A text removed before this migration (disposal) left its words behind: recomputed now.
SELECT lt_search_refresh(d) FROM documents d WHERE d.disposed_at IS NOT NULL;

DROP INDEX documents_search_readers;
DROP INDEX documents_search_meta;
ALTER TABLE documents DROP COLUMN readers, DROP COLUMN search_meta, DROP COLUMN search_tsv;

-- Search scoped inside the index: "readable by me" intersected with the words before any row is read.
CREATE INDEX document_search_readers ON document_search USING gin (readers, search_tsv);
CREATE INDEX document_search_meta ON document_search USING gin (search_meta gin_trgm_ops);
ANALYZE document_search;
