-- Inbox counts without heap visits (issue 19): the inbox index also carries the status, so the
-- honest total ("100 / 113", revoked copies excluded) is an index-only scan, and the first and
-- last pages stay one index range each. Replaces dispatches_inbox (same key, same predicate).
CREATE INDEX dispatches_inbox_status ON dispatches (recipient_code, delivered_at DESC, id) INCLUDE (status) WHERE delivered_at IS NOT NULL;
DROP INDEX dispatches_inbox;
