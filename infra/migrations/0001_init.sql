-- Liên Thông: the initial schema (../shared/design.md §4). Forward-only: never edit a migration
-- that has shipped; add the next one.

CREATE TABLE agencies (
  code               text PRIMARY KEY CHECK (code ~ '^[0-9A-Z.]{1,35}$'),
  name               text NOT NULL,
  parent_code        text REFERENCES agencies(code),
  level              smallint NOT NULL DEFAULT 1,
  channel            text NOT NULL DEFAULT 'hosted' CHECK (channel IN ('hosted', 'push', 'paper')),
  endpoint_url       text,
  push_format        text NOT NULL DEFAULT 'edxml' CHECK (push_format IN ('edxml', 'json')),
  webhook_secret_enc text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_groups (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_group_members (
  group_id    text NOT NULL REFERENCES agency_groups(id),
  agency_code text NOT NULL REFERENCES agencies(code),
  PRIMARY KEY (group_id, agency_code)
);

CREATE TABLE api_keys (
  id          uuid PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies(code),
  label       text,
  -- Only a SHA-256 of the key is stored: keys are 256-bit random, so a slow hash adds nothing.
  key_hash    bytea NOT NULL UNIQUE,
  scopes      text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Development CA (dev mode only) and configured trust anchors for verification.
CREATE TABLE trust_anchors (
  id          uuid PRIMARY KEY,
  label       text NOT NULL,
  cert_pem    text NOT NULL,
  key_sealed  text,            -- present only for the development CA
  is_dev_ca   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX trust_anchors_one_dev_ca ON trust_anchors (is_dev_ca) WHERE is_dev_ca;

CREATE TABLE agency_certificates (
  id          uuid PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies(code),
  cert_pem    text NOT NULL,
  chain_pem   text[] NOT NULL DEFAULT '{}',
  key_sealed  text NOT NULL,   -- private key encrypted under the master key
  not_before  timestamptz NOT NULL,
  not_after   timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX agency_certificates_by_agency ON agency_certificates (agency_code, not_before DESC);

CREATE TABLE blobs (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size         bigint NOT NULL,
  content_type text NOT NULL,
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Yearly number registers: outgoing numbers (số) per sender, incoming numbers (số đến) per recipient.
CREATE TABLE number_registers (
  agency_code text NOT NULL REFERENCES agencies(code),
  year        integer NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('outgoing', 'incoming')),
  last_number integer NOT NULL DEFAULT 0,
  PRIMARY KEY (agency_code, year, kind)
);

CREATE TABLE documents (
  id               uuid PRIMARY KEY,
  sender_code      text NOT NULL REFERENCES agencies(code),
  document_type    text NOT NULL,
  number           text NOT NULL,
  notation         text NOT NULL,
  year             integer NOT NULL,
  issued_on        date NOT NULL,
  place            text NOT NULL,
  subject          text NOT NULL,
  summary          text,
  signer           jsonb NOT NULL,
  urgency          text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'very_urgent', 'flash')),
  due_on           date,
  classification   text NOT NULL DEFAULT 'normal',
  recipients_ref   jsonb NOT NULL,          -- the recipients as the sender wrote them (codes, groups)
  recipients_text  jsonb NOT NULL DEFAULT '[]',
  response_for     uuid REFERENCES documents(id),
  steering_type    text,
  business_type    smallint NOT NULL DEFAULT 0,
  status           text NOT NULL CHECK (status IN ('accepted', 'converted', 'signed', 'routed', 'failed', 'revoked', 'replaced')),
  page_count       integer,
  last_error       text,
  idempotency_key  text,
  request_hash     text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sender_code, year, number),
  UNIQUE (sender_code, idempotency_key)
);
CREATE INDEX documents_by_sender ON documents (sender_code, created_at DESC);
CREATE INDEX documents_in_flight ON documents (status, updated_at) WHERE status IN ('accepted', 'converted', 'signed');

CREATE TABLE document_files (
  document_id uuid NOT NULL REFERENCES documents(id),
  role        text NOT NULL CHECK (role ~ '^(original|canonical|signed|attachment-[0-9]+)$'),
  blob_sha256 text NOT NULL REFERENCES blobs(sha256),
  name        text,
  PRIMARY KEY (document_id, role)
);

CREATE TABLE dispatches (
  id              uuid PRIMARY KEY,
  document_id     uuid NOT NULL REFERENCES documents(id),
  recipient_code  text NOT NULL REFERENCES agencies(code),
  via_group       text,
  channel         text CHECK (channel IN ('hosted', 'push', 'paper')),
  status          text NOT NULL,
  incoming_number text,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, recipient_code)
);
CREATE INDEX dispatches_inbox ON dispatches (recipient_code, delivered_at DESC, id) WHERE delivered_at IS NOT NULL;
CREATE INDEX dispatches_in_flight ON dispatches (status, updated_at) WHERE status IN ('pending', 'delivering');

CREATE TABLE dispatch_events (
  id          bigserial PRIMARY KEY,
  dispatch_id uuid NOT NULL REFERENCES dispatches(id),
  code        text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text,
  note        text
);
CREATE INDEX dispatch_events_by_dispatch ON dispatch_events (dispatch_id, id);

-- Transactional outbox: rows are written in the same transaction as the state they announce;
-- the relay publishes them to BullMQ. A trigger wakes the relays so the hand-off is immediate.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  payload      jsonb NOT NULL,
  priority     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_outbox', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_notify();

-- The ledger: append-only and hash-chained. The database itself refuses UPDATE and DELETE.
CREATE TABLE ledger (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL,
  kind        text NOT NULL,
  document_id uuid,
  dispatch_id uuid,
  sender      text,
  recipient   text,
  channel     text,
  detail      jsonb NOT NULL DEFAULT '{}',
  prev_hash   text NOT NULL,
  hash        text NOT NULL UNIQUE
);
CREATE UNIQUE INDEX ledger_once_per_document ON ledger (kind, document_id) WHERE dispatch_id IS NULL AND document_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_once_per_dispatch ON ledger (kind, dispatch_id) WHERE dispatch_id IS NOT NULL;

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE targets (
  metric         text NOT NULL,
  scope          text NOT NULL DEFAULT 'province',
  value          numeric(5, 4) NOT NULL CHECK (value > 0 AND value <= 1),
  effective_from date NOT NULL,
  effective_to   date,
  source         text,
  PRIMARY KEY (metric, scope, effective_from)
);
INSERT INTO targets (metric, scope, value, effective_from, source)
VALUES ('edoc_document_rate', 'province', 0.60, '2012-03-05', 'Chỉ thị về tiếp tục đẩy mạnh cải cách hành chính (UBND tỉnh Đắk Lắk)');

CREATE TABLE audit_log (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
