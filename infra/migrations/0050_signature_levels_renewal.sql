-- Issue 21: PAdES levels B-LT and B-LTA, and the renewal of a signed document's proof of
-- existence (a new document timestamp before the TSA certificate of its newest one expires).

ALTER TABLE documents DROP CONSTRAINT IF EXISTS documents_signature_level_check;
ALTER TABLE documents ADD CONSTRAINT documents_signature_level_check
  CHECK (signature_level IN ('B-B', 'B-T', 'B-LT', 'B-LTA'));

-- notAfter of the TSA certificate of the newest timestamp in the signed PDF: the renewal job
-- takes the documents whose date falls within the margin.
ALTER TABLE documents ADD COLUMN timestamp_expires_at timestamptz;
CREATE INDEX documents_timestamp_expiry ON documents (timestamp_expires_at) WHERE timestamp_expires_at IS NOT NULL;

-- One row per renewal: the signed PDF before and after (both blobs are kept), why, and the new
-- timestamp. The document's `signed` file points at the newest.
CREATE TABLE signature_renewals (
  id                   bigserial PRIMARY KEY,
  document_id          uuid NOT NULL REFERENCES documents(id),
  renewed_at           timestamptz NOT NULL DEFAULT now(),
  reason               text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  previous_sha256      text NOT NULL REFERENCES blobs(sha256),
  renewed_sha256       text NOT NULL REFERENCES blobs(sha256),
  previous_expires_at  timestamptz,
  timestamp_time       timestamptz,
  timestamp_expires_at timestamptz
);
CREATE INDEX signature_renewals_document ON signature_renewals (document_id, renewed_at);

-- Each renewal is a ledger row ('signature_renewed'), and a document may be renewed many times
-- over the years: that kind is left out of the once-per-document rule.
DROP INDEX ledger_once_per_document;
CREATE UNIQUE INDEX ledger_once_per_document ON ledger (kind, document_id)
  WHERE dispatch_id IS NULL AND document_id IS NOT NULL AND kind <> 'signature_renewed';
