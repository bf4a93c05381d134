-- Issue 21, items 3–6: ledger anchors (RFC 3161 tokens over chain heads), the hub's seal and the
-- receipts it signs on arrival (01) and registration (03), and retention: periods per document
-- type, legal holds, and disposals proposed, approved and recorded (nothing is deleted silently).

-- One RFC 3161 token per anchored chain head: the token's message imprint is the row's hash
-- (SHA-256 of the row's hash input, ledgerHashInput), so `openssl ts -verify -digest <row_hash>`
-- checks it too.
CREATE TABLE ledger_anchors (
  id         bigserial PRIMARY KEY,
  chain      text NOT NULL,
  row_id     bigint NOT NULL REFERENCES ledger(id),
  row_hash   text NOT NULL CHECK (row_hash ~ '^[0-9a-f]{64}$'),
  token      bytea NOT NULL,
  gen_time   timestamptz NOT NULL,
  reason     text NOT NULL CHECK (reason IN ('scheduled', 'on-demand', 'evidence', 'report')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (chain, row_id)
);
CREATE INDEX ledger_anchors_by_chain ON ledger_anchors (chain, row_id DESC);

-- The daily anchoring run is claimed per Vietnam day, so many worker processes anchor once.
CREATE TABLE ledger_anchor_runs (
  day     date PRIMARY KEY,
  ran_at  timestamptz NOT NULL DEFAULT now(),
  chains  integer
);

-- The hub's own seal certificate (the receipts' signer). In dev mode the development CA issues it.
CREATE TABLE hub_seal_certificates (
  id         uuid PRIMARY KEY,
  cert_pem   text NOT NULL,
  chain_pem  text[] NOT NULL DEFAULT '{}',
  key_sealed text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after  timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One signed receipt per arrival (01) or registration (03) event: `content` is the JSON the CMS
-- SignedData (`cms`, DER, content attached) carries.
CREATE TABLE dispatch_receipts (
  event_id    bigint PRIMARY KEY REFERENCES dispatch_events(id),
  dispatch_id uuid NOT NULL REFERENCES dispatches(id),
  code        text NOT NULL CHECK (code IN ('01', '03')),
  content     bytea NOT NULL,
  cms         bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispatch_receipts_by_dispatch ON dispatch_receipts (dispatch_id, event_id);

-- Retention periods per document type (operator-editable: `lienthong retention set`). A type
-- without a row is never proposed for disposal; permanent types never are either.
CREATE TABLE retention_periods (
  document_type text PRIMARY KEY,
  years         integer CHECK (years IS NULL OR years BETWEEN 1 AND 200),
  permanent     boolean NOT NULL DEFAULT false,
  note          text,
  updated_by    text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (permanent OR years IS NOT NULL)
);

CREATE TABLE legal_holds (
  id          uuid PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents(id),
  reason      text NOT NULL,
  placed_by   text NOT NULL,
  placed_at   timestamptz NOT NULL DEFAULT now(),
  released_by text,
  released_at timestamptz,
  release_note text
);
CREATE INDEX legal_holds_active ON legal_holds (document_id) WHERE released_at IS NULL;

-- A disposal is proposed (a list), approved by an administrator, then carried out; what was
-- removed (roles, names, SHA-256, sizes) stays here and in the ledger row `document_disposed`.
CREATE TABLE disposals (
  id            uuid PRIMARY KEY,
  batch         text NOT NULL,
  document_id   uuid NOT NULL REFERENCES documents(id),
  status        text NOT NULL CHECK (status IN ('proposed', 'disposed', 'rejected', 'cancelled')),
  retain_until  date NOT NULL,
  proposed_by   text NOT NULL,
  proposed_at   timestamptz NOT NULL DEFAULT now(),
  decided_by    text,
  decided_at    timestamptz,
  decision_note text,
  files         jsonb
);
CREATE UNIQUE INDEX disposals_open_once ON disposals (document_id) WHERE status IN ('proposed', 'disposed');
CREATE INDEX disposals_by_batch ON disposals (batch);

ALTER TABLE documents ADD COLUMN disposed_at timestamptz;

-- The receipts sweep looks for 01/03 events without a receipt.
CREATE INDEX dispatch_events_receipt_codes ON dispatch_events (id) WHERE code IN ('01', '03');
