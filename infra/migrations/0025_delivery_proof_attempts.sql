-- Delivery that cannot lie (issue 16): push endpoint rules per agency, every push attempt kept,
-- the stage a document failed in (so an operator retry starts there), long-failing alerts and the
-- notices an agency is owed.

-- An operator may allow a push endpoint on a private, loopback or link-local address (an agency's
-- system on the provincial network); everything else is refused at connect time.
-- `push_receipt`: the agency's system answers with a receipt naming the delivery (JSON
-- {"deliveryId"} or an edXML status 01); only then is a push counted delivered.
ALTER TABLE agencies
  ADD COLUMN allow_private_endpoint boolean NOT NULL DEFAULT false,
  ADD COLUMN push_receipt boolean NOT NULL DEFAULT false;

-- The stage a failed document stopped in: convert, sign or route.
ALTER TABLE documents ADD COLUMN failed_stage text CHECK (failed_stage IN ('convert', 'sign', 'route'));

-- When the next push attempt is due (shown to the sending clerk), and when the long-failing alert
-- was raised for this dispatch (once per retry budget).
ALTER TABLE dispatches
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN alerted_at timestamptz;
CREATE INDEX dispatches_alerted ON dispatches (alerted_at) WHERE alerted_at IS NOT NULL AND status IN ('pending', 'delivering');

-- One row per push attempt: when, how it ended, the HTTP status when one came, the error.
CREATE TABLE dispatch_attempts (
  id          bigserial PRIMARY KEY,
  dispatch_id uuid NOT NULL REFERENCES dispatches(id),
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
  http_status integer,
  error       text,
  proof       text CHECK (proof IN ('http-2xx', 'receipt'))
);
CREATE INDEX dispatch_attempts_by_dispatch ON dispatch_attempts (dispatch_id, id DESC);

-- Notices owed to an agency (a delivery failing for long, a certificate about to expire): stored
-- as data; pages and a notification centre read them.
CREATE TABLE agency_notices (
  id          bigserial PRIMARY KEY,
  agency_code text NOT NULL REFERENCES agencies(code),
  kind        text NOT NULL,
  document_id uuid REFERENCES documents(id),
  dispatch_id uuid REFERENCES dispatches(id),
  message     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  read_at     timestamptz
);
CREATE INDEX agency_notices_by_agency ON agency_notices (agency_code, created_at DESC);

-- Live pages follow a document through its stages (converted, signed, routed with its channels,
-- failed, revoked): every status move is announced on the channel the web events already listen
-- to, delivered at commit like any NOTIFY. The payload has no dispatchId: pages re-read the document.
CREATE FUNCTION documents_notify_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_dispatch', json_build_object('documentId', NEW.id, 'status', NEW.status)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER documents_status_moved AFTER UPDATE OF status ON documents
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION documents_notify_status();
