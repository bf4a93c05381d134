-- The national document exchange axis (issue 22): what the adapter (services/axis/) remembers.
--
-- axis_received: every message the axis listed for this hub, claimed once by its axis id, with
-- what became of it. A message the axis lists again (its processing status never reached the axis)
-- is answered from here instead of being accepted twice.
CREATE TABLE axis_received (
  axis_doc_id  text PRIMARY KEY,
  message_type text NOT NULL CHECK (message_type IN ('edoc', 'status')),
  from_code    text,
  claimed_at   timestamptz NOT NULL DEFAULT now(),
  -- NULL while being handled; then accepted (a document or status was recorded), duplicate (the
  -- envelope was already accepted under another axis id) or refused (the reason in detail).
  outcome      text CHECK (outcome IN ('accepted', 'duplicate', 'refused')),
  document_id  uuid REFERENCES documents(id),
  detail       text,
  handled_at   timestamptz,
  -- When the axis was told (updateStatus done/fail); NULL until it answered OK.
  acknowledged_at timestamptz
);
CREATE INDEX axis_received_unacknowledged ON axis_received (claimed_at) WHERE acknowledged_at IS NULL;

-- axis_sent_statuses: each timeline event of a document that came from the axis, sent back to its
-- sender as an edXML status message once (the event id is the key).
CREATE TABLE axis_sent_statuses (
  event_id    bigint PRIMARY KEY REFERENCES dispatch_events(id),
  axis_doc_id text,
  sent_at     timestamptz NOT NULL DEFAULT now()
);

-- axis_state: one row. The poll lease (one worker process polls at a time, however many run), the
-- last directory sync and the last outcome, for the operator.
CREATE TABLE axis_state (
  id              smallint PRIMARY KEY CHECK (id = 1),
  lease_holder    text,
  lease_until     timestamptz,
  last_poll_at    timestamptz,
  last_sync_at    timestamptz,
  last_error      text,
  last_error_at   timestamptz,
  failures        integer NOT NULL DEFAULT 0
);
INSERT INTO axis_state (id) VALUES (1);
