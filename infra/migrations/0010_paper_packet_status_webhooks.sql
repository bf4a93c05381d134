-- Files that belong to one dispatch rather than to the document: the print-ready packet of a
-- paper dispatch (transmittal slip + the signed document's pages). One per (dispatch, role), so a
-- re-run of the deliver stage replaces nothing twice.
CREATE TABLE dispatch_files (
  dispatch_id uuid NOT NULL REFERENCES dispatches(id),
  role        text NOT NULL CHECK (role IN ('paper-packet')),
  blob_sha256 text NOT NULL REFERENCES blobs(sha256),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dispatch_id, role)
);

-- Status webhooks to push-channel senders: set when the sender's endpoint answered 2xx, so the
-- sweeper can find events whose webhook is still owed (after Redis lost its queues).
ALTER TABLE dispatch_events ADD COLUMN notified_at timestamptz;
-- Statuses recorded before webhooks existed are not owed one: without this the sweeper would
-- send a month of old statuses to every push-channel sender right after the upgrade.
UPDATE dispatch_events SET notified_at = at;
CREATE INDEX dispatch_events_unnotified ON dispatch_events (at) WHERE notified_at IS NULL;
