-- Search's own table, document_search, and abbreviations as words of the index (issues 19 and 25).
--
-- 1. The search columns move from documents to document_search. A document's row is updated at
-- every pipeline stage (status, updated_at; the partial index documents_in_flight covers both, so
-- none of these updates can be HOT) and every such update wrote a new entry into every index of
-- documents, search's two GIN indexes included: a hundred or more trigrams of search_meta and
-- every word of (readers, search_tsv), three or four times per document, for columns that had not
-- changed. The kept text's arrival also rewrote the whole documents row (the old trigger's
-- `UPDATE documents SET search_tsv = NULL`). In their own table the search columns are written
-- when a document is created, when a searched field changes and when its text arrives or goes,
-- never by a status move. document_search also carries the immutable columns a search filters on
-- (sender, created_at, type, urgency, issue date): a match is one narrow row.
--
-- 2. "UBND" and "Ủy ban nhân dân" are one search. The query carried both forms, the full one as a
-- phrase (ubnd | uy <-> ban <-> nhan <-> dan): GIN keeps no word positions, so every match of a
-- phrase was read again and checked, and four posting lists covering nearly every document were
-- walked. Now the words of a document carry the abbreviation of every full form they contain, so
-- either form typed is one word of the index, found without a recheck. search_abbreviations is the
-- list the index uses; the query side (services/domain/search/search-text.ts, ABBREVIATIONS) names
-- the same pairs, and test/integration/search/search-abbreviations.test.ts compares them. A change
-- of the list is a new migration updating this table and recomputing the search rows.

CREATE TABLE search_abbreviations (
  abbr   text PRIMARY KEY CHECK (abbr ~ '^[a-z0-9]+$'),
  phrase text NOT NULL UNIQUE CHECK (phrase ~ '^[a-z0-9]+( [a-z0-9]+)+$')
);
INSERT INTO search_abbreviations (abbr, phrase) VALUES
  ('ubnd', 'uy ban nhan dan'),
  ('hdnd', 'hoi dong nhan dan'),
  ('ubmttq', 'uy ban mat tran to quoc'),
  ('tt', 'thong tu'),
  ('ttlt', 'thong tu lien tich'),
  ('qd', 'quyet dinh'),
  ('nd', 'nghi dinh'),
  ('nq', 'nghi quyet'),
  ('ct', 'chi thi'),
  ('cv', 'cong van'),
  ('tb', 'thong bao'),
  ('kh', 'ke hoach'),
  ('bc', 'bao cao'),
  ('ttr', 'to trinh'),
  ('hd', 'huong dan'),
  ('gm', 'giay moi'),
  ('cd', 'cong dien'),
  ('snv', 'so noi vu'),
  ('bnv', 'bo noi vu'),
  ('cchc', 'cai cach hanh chinh'),
  ('tw', 'trung uong'),
  ('vb', 'van ban');

-- Folded words (lt_words) followed by the abbreviation of every full form among them:
-- "uy ban nhan dan tinh" → "uy ban nhan dan tinh ubnd". PL/pgSQL on purpose: its plan is kept
-- for the session, where the same loop written as a SQL function's subquery cost 13 times more
-- per call (measured: 0.68 against 0.05 ms), which the pipeline pays twice per document.
CREATE FUNCTION lt_search_words(t text) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  w text := COALESCE(lt_words(t), '');
  padded text := ' ' || w || ' ';
  extra text[] := '{}';
  a record;
BEGIN
  FOR a IN SELECT s.abbr, ' ' || s.phrase || ' ' AS phrase FROM search_abbreviations s ORDER BY s.abbr LOOP
    IF strpos(padded, a.phrase) > 0 THEN
      extra := extra || a.abbr;
    END IF;
  END LOOP;
  RETURN concat_ws(' ', w, NULLIF(array_to_string(extra, ' '), ''));
END $$;

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
  -- Metadata (weight A), people and places (B) and the files' text (D) for ranked full-text match.
  search_tsv    tsvector NOT NULL
);

-- One document's search row, computed from its documents row and its kept text. The expressions
-- are those of lt_document_search (migrations 0035, 0038), which this replaces, plus the abbreviations.
CREATE FUNCTION lt_search_row(d documents) RETURNS document_search LANGUAGE plpgsql AS $$
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
  RETURN ROW(d.id, d.sender_code, d.created_at, d.document_type, d.urgency, d.issued_on,
             lt_document_readers(d.sender_code, d.recipients_ref),
             lt_fold(concat_ws(' ', head, people)),
             setweight(to_tsvector('simple', lt_search_words(head)), 'A')
               || setweight(to_tsvector('simple', lt_search_words(people)), 'B')
               || setweight(to_tsvector('simple', lt_search_words(content)), 'D'))::document_search;
END $$;

-- The row written in place (what the triggers call).
CREATE FUNCTION lt_search_refresh(d documents) RETURNS void LANGUAGE sql AS $$
  INSERT INTO document_search AS s SELECT r.* FROM lt_search_row(d) r
  ON CONFLICT (document_id) DO UPDATE SET
    sender_code = EXCLUDED.sender_code, created_at = EXCLUDED.created_at, document_type = EXCLUDED.document_type,
    urgency = EXCLUDED.urgency, issued_on = EXCLUDED.issued_on, readers = EXCLUDED.readers,
    search_meta = EXCLUDED.search_meta, search_tsv = EXCLUDED.search_tsv
$$;

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

-- Every document's row computed once (set-based), then the indexes over them.
INSERT INTO document_search SELECT r.* FROM documents d CROSS JOIN LATERAL lt_search_row(d) r;

DROP INDEX documents_search_readers;
DROP INDEX documents_search_meta;
ALTER TABLE documents DROP COLUMN readers, DROP COLUMN search_meta, DROP COLUMN search_tsv;

-- Search scoped inside the index: "readable by me" intersected with the words before any row is read.
CREATE INDEX document_search_readers ON document_search USING gin (readers, search_tsv);
CREATE INDEX document_search_meta ON document_search USING gin (search_meta gin_trgm_ops);
ANALYZE document_search;
