-- Registers, saved searches and access history (issue 19).

-- Register books (sổ đăng ký văn bản, Decree 30/2020 Appendix IV): an agency keeps one or more
-- incoming books (e.g. "Sổ văn bản đến", "Sổ văn bản mật đến"), numbered from 1 each year. The
-- default book (is_default) counts with the agency's yearly incoming register (number_registers).
CREATE TABLE register_books (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agency_code text NOT NULL REFERENCES agencies(code),
  kind        text NOT NULL CHECK (kind IN ('incoming', 'outgoing')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_default  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency_code, kind, name)
);
CREATE UNIQUE INDEX register_books_one_default ON register_books (agency_code, kind) WHERE is_default;

CREATE TABLE register_book_numbers (
  book_id     uuid NOT NULL REFERENCES register_books(id),
  year        integer NOT NULL,
  last_number integer NOT NULL,
  PRIMARY KEY (book_id, year)
);

-- Registration of an incoming copy: the book, the registration date (the clerk may correct it),
-- and the first time anyone of the agency opened it (unread rows are bold).
ALTER TABLE dispatches ADD COLUMN register_book_id uuid REFERENCES register_books(id),
  ADD COLUMN registered_on date, ADD COLUMN opened_at timestamptz;
UPDATE dispatches x SET registered_on = (SELECT (min(e.at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM dispatch_events e
                                         WHERE e.dispatch_id = x.id AND e.code = '03')
 WHERE x.incoming_number IS NOT NULL;
UPDATE dispatches SET opened_at = updated_at WHERE status NOT IN ('pending', 'delivering', 'delivered', 'paper', 'failed');
CREATE INDEX dispatches_register ON dispatches (recipient_code, registered_on, id) WHERE registered_on IS NOT NULL;

-- Saved searches: a user's named query (the filters as JSON), offered in the menu.
CREATE TABLE saved_searches (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    uuid NOT NULL REFERENCES users(id),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  query      jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name)
);

-- Access history (Circular 01/2019/TT-BNV): who opened, downloaded or printed which document.
CREATE TABLE document_access (
  id          bigserial PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents(id),
  agency_code text NOT NULL REFERENCES agencies(code),
  actor       text NOT NULL,
  action      text NOT NULL CHECK (action IN ('opened', 'downloaded', 'printed', 'exported')),
  detail      text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_access_by_document ON document_access (document_id, at DESC);
CREATE INDEX document_access_by_agency ON document_access (agency_code, at DESC);
