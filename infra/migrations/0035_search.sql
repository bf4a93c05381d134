-- Search without diacritics (issue 19): PostgreSQL's contrib unaccent and pg_trgm (both trusted
-- extensions: the database owner may create them), an ICU collation for Vietnamese order, and a
-- folded copy of every searchable field kept on the document by a trigger, so every writer of
-- documents (API, edXML, paper, one-statement intake) feeds the index without knowing it.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Vietnamese alphabetical order: a ă â b c d đ e ê … (ICU's vi locale); ORDER BY x COLLATE vi_vn.
CREATE COLLATION IF NOT EXISTS vi_vn (provider = icu, locale = 'vi-VN');

-- "Cải cách" → "cai cach", "Đắk Lắk" → "dak lak". unaccent() is only STABLE (it reads its
-- dictionary by name); naming the dictionary makes the wrapper safe to mark IMMUTABLE for indexes.
CREATE FUNCTION lt_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, translate(t, 'đĐ', 'dD'))) $$;

-- Words for full text: folded, every run of other characters a space ("12/QĐ-UBND" → 12 qd ubnd).
CREATE FUNCTION lt_words(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT regexp_replace(lt_fold(t), '[^a-z0-9]+', ' ', 'g') $$;

CREATE TABLE document_type_names (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO document_type_names (code, name) VALUES
  ('NQ', 'Nghị quyết'), ('QĐ', 'Quyết định'), ('CT', 'Chỉ thị'), ('QC', 'Quy chế'), ('QyĐ', 'Quy định'),
  ('TC', 'Thông cáo'), ('TB', 'Thông báo'), ('HD', 'Hướng dẫn'), ('CTr', 'Chương trình'), ('KH', 'Kế hoạch'),
  ('PA', 'Phương án'), ('ĐA', 'Đề án'), ('DA', 'Dự án'), ('BC', 'Báo cáo'), ('BB', 'Biên bản'), ('TTr', 'Tờ trình'),
  ('HĐ', 'Hợp đồng'), ('CĐ', 'Công điện'), ('BGN', 'Bản ghi nhớ'), ('BTT', 'Bản thỏa thuận'), ('GUQ', 'Giấy ủy quyền'),
  ('GM', 'Giấy mời'), ('GGT', 'Giấy giới thiệu'), ('GNP', 'Giấy nghỉ phép'), ('PG', 'Phiếu gửi'), ('PC', 'Phiếu chuyển'),
  ('PB', 'Phiếu báo'), ('CV', 'Công văn'), ('TCONG', 'Thư công');

-- The text of a document's files, extracted once (convert stage, pdftotext) and kept.
CREATE TABLE document_texts (
  document_id  uuid PRIMARY KEY REFERENCES documents(id),
  content      text NOT NULL,
  extracted_at timestamptz NOT NULL DEFAULT now()
);

-- search_meta: the folded metadata (trigram substring match: "12/qd-ubnd", "noi vu").
-- search_tsv: metadata (weights A, B) and file text (D) for ranked full-text match.
ALTER TABLE documents ADD COLUMN search_meta text, ADD COLUMN search_tsv tsvector;

CREATE FUNCTION lt_document_search() RETURNS trigger LANGUAGE plpgsql AS $$
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
  NEW.search_meta := lt_fold(concat_ws(' ', head, people));
  NEW.search_tsv := setweight(to_tsvector('simple', lt_words(head)), 'A')
                 || setweight(to_tsvector('simple', lt_words(people)), 'B')
                 || setweight(to_tsvector('simple', lt_words(COALESCE(content, ''))), 'D');
  RETURN NEW;
END $$;

-- Status moves do not recompute; a change of a searched field (or a reset of search_tsv) does.
CREATE TRIGGER documents_search BEFORE INSERT OR UPDATE OF number, notation, document_type, subject, summary, signer, place,
  recipients_ref, recipients_text, sender_code, search_tsv ON documents FOR EACH ROW EXECUTE FUNCTION lt_document_search();

CREATE FUNCTION lt_document_text_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE documents SET search_tsv = NULL WHERE id = NEW.document_id;
  RETURN NULL;
END $$;
CREATE TRIGGER document_texts_search AFTER INSERT OR UPDATE ON document_texts FOR EACH ROW EXECUTE FUNCTION lt_document_text_changed();

UPDATE documents SET search_tsv = NULL;

CREATE INDEX documents_search_tsv ON documents USING gin (search_tsv);
CREATE INDEX documents_search_meta ON documents USING gin (search_meta gin_trgm_ops);
-- The agency name filter ("UBND", "noi vu") and the recipient picker match folded names.
CREATE INDEX agencies_name_fold ON agencies USING gin (lt_fold(name) gin_trgm_ops);
