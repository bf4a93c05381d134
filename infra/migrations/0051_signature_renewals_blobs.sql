-- Issue 21: a renewal's renewed PDF starts with the previous one byte for byte, so the previous
-- blob is not kept (its SHA-256 and size say which prefix it was) and the renewals table holds no
-- reference to blobs: disposal (retention) removes a document's files whatever their renewals.
ALTER TABLE signature_renewals DROP CONSTRAINT IF EXISTS signature_renewals_previous_sha256_fkey;
ALTER TABLE signature_renewals DROP CONSTRAINT IF EXISTS signature_renewals_renewed_sha256_fkey;
ALTER TABLE signature_renewals ADD COLUMN previous_size bigint;
