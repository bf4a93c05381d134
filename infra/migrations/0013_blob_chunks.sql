-- Large blobs in 1 MiB chunks instead of one bytea value. A bytea is read and written whole: a
-- 50 MB PDF went over the wire as 100 MB of hex and sat in memory two or three times in every
-- process that touched it. Chunks are written and read one at a time, so the gateway and the
-- workers stream large files through a temporary file with memory that does not grow with the
-- file. Small blobs (one chunk or less) stay inline in blobs.bytes: one row, one round trip.
-- Chunks are stored uncompressed (STORAGE EXTERNAL): PDFs and images are compressed already, and
-- pglz would spend CPU to gain nothing.
ALTER TABLE blobs ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE blobs ADD COLUMN chunks integer;
ALTER TABLE blobs ADD CONSTRAINT blobs_inline_or_chunked
  CHECK ((bytes IS NOT NULL AND chunks IS NULL) OR (bytes IS NULL AND chunks >= 1));

CREATE TABLE blob_chunks (
  sha256 text NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
  seq    integer NOT NULL CHECK (seq >= 0),
  bytes  bytea NOT NULL,
  PRIMARY KEY (sha256, seq)
);
ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
