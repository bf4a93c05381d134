-- Outgoing register books (issue 19): an outgoing document is written into one of its agency's
-- outgoing books (e.g. "Sổ văn bản đi", "Sổ quyết định"). NULL is the default book. Numbers stay one
-- sequence per agency and year whatever the book (Decree 30/2020, Art. 15: numbers run from 01 on
-- 1 January to 31 December in the agency's order of issue); the book only groups the register's lines.
ALTER TABLE documents ADD COLUMN register_book_id uuid REFERENCES register_books(id);
CREATE INDEX documents_outgoing_book ON documents (sender_code, year, register_book_id) WHERE register_book_id IS NOT NULL;
