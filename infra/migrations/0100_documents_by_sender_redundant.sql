-- Issue 25, item 1: one index fewer written for every document.
--
-- documents_by_sender (sender_code, created_at DESC), from 0001, is the leading part of
-- documents_outbox (sender_code, created_at DESC, id), from 0002: every query the first can serve
-- (a sender's documents, newest first, or a sender and a time range) the second serves the same
-- way, in the same order. Kept, it cost an entry on every document inserted and on every status
-- move of a document (those updates are not HOT: documents_in_flight covers status and
-- updated_at), four entries per one-page document, and nearly the size of documents_outbox on disk
-- (47 MB at 1,000,000 documents, BENCHMARKS.md § Search and list paging at scale).
DROP INDEX IF EXISTS documents_by_sender;
