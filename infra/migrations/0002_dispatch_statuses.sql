-- Statuses after delivery (edXML codes 01–06, 13, 15, 16) and revocation.
-- A sender's "take back" (13) is a request the recipient answers with 15 (agree) or 16 (refuse):
-- it is kept on the dispatch until answered.
ALTER TABLE dispatches ADD COLUMN pending_request text CHECK (pending_request IN ('takeback'));
ALTER TABLE documents ADD COLUMN revoked_at timestamptz, ADD COLUMN revoke_reason text;
CREATE INDEX dispatch_events_by_code ON dispatch_events (code, at);
CREATE INDEX documents_outbox ON documents (sender_code, created_at DESC, id);

-- The retry budget of a delivery runs from here (routing, or an operator's retry).
ALTER TABLE dispatches ADD COLUMN budget_started_at timestamptz;
CREATE INDEX dispatches_failed ON dispatches (updated_at) WHERE status = 'failed';
