-- Issue 25, item 1: the PDFs kept in `blobs` are compressed with lz4 instead of pglz.
--
-- A small blob's bytes are stored in the row (TOAST), compressed by the column's method. The
-- signed PDF of every document is written there by the sign stage, and pglz on ~35 KB of PDF
-- (its streams already deflated, its signature placeholder a long run of zeros) cost the server
-- ~0.7 ms of CPU per document. Measured serially on one connection (300 one-page documents
-- through the real stages, alternated): the sign stage's PostgreSQL CPU 1.53–1.63 ms with pglz,
-- 0.87 ms with lz4, and the table SMALLER (9.3 MB against 10.1 MB); without compression
-- (STORAGE EXTERNAL) the CPU fell too (1.0–1.2 ms) but the table doubled (19.2 MB).
-- Only new values use lz4: rows written before keep pglz and are read as before (each value
-- records its own method). A server built without lz4 keeps pglz (the statement is skipped).
DO $$
BEGIN
  ALTER TABLE blobs ALTER COLUMN bytes SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 is not available in this PostgreSQL build: blobs keep pglz';
END $$;
