-- Signature validation (issue 15): each trust anchor says what it is trusted for (signing
-- certificates, timestamp authorities, or both); fetched CRLs are cached until their nextUpdate;
-- operators may import CRLs by hand (networks without access to the CA's distribution point).
ALTER TABLE trust_anchors ADD COLUMN purpose text NOT NULL DEFAULT 'signing'
  CHECK (purpose IN ('signing', 'tsa', 'both'));
UPDATE trust_anchors SET purpose = 'both' WHERE is_dev_ca;

CREATE TABLE revocation_cache (
  url         text PRIMARY KEY,
  der         bytea NOT NULL,
  fetched_at  timestamptz NOT NULL DEFAULT now(),
  next_update timestamptz
);

CREATE TABLE imported_crls (
  id          uuid PRIMARY KEY,
  issuer_hash text NOT NULL,
  der         bytea NOT NULL,
  this_update timestamptz NOT NULL,
  next_update timestamptz,
  added_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imported_crls_issuer ON imported_crls (issuer_hash, this_update DESC);

