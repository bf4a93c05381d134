-- Hub-to-hub federation (issue 22): other Liên Thông hubs this one exchanges with, the `relay`
-- channel through which a recipient served by a peer is reached, and, on the receiving side, which
-- documents came in from a peer (so their statuses go back to it and their trace is kept).

-- A peer hub: where its /v1/edxml is, the HMAC secret both hubs share (sealed with the master key,
-- as agencies' webhook secrets are), and the agency codes it serves (glob patterns, `*` any run
-- of characters, `?` one character).
CREATE TABLE peer_hubs (
  id                      text PRIMARY KEY CHECK (id ~ '^[0-9A-Z.]{1,35}$'),
  url                     text NOT NULL,
  secret_enc              text NOT NULL,
  code_patterns           text[] NOT NULL CHECK (cardinality(code_patterns) > 0),
  allow_private_endpoint  boolean NOT NULL DEFAULT false,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  last_seen_at            timestamptz
);

-- `relay`: the copy is handed to the peer hub that serves the recipient.
ALTER TABLE agencies DROP CONSTRAINT agencies_channel_check;
ALTER TABLE agencies ADD CONSTRAINT agencies_channel_check CHECK (channel IN ('hosted', 'push', 'paper', 'relay'));
ALTER TABLE dispatches DROP CONSTRAINT dispatches_channel_check;
ALTER TABLE dispatches ADD CONSTRAINT dispatches_channel_check CHECK (channel IN ('hosted', 'push', 'paper', 'relay'));

-- A document that arrived from a peer hub: from which peer, under which edXML DocumentId, and the
-- TraceHeaderList it carried (every hop so far), kept for the envelopes this hub emits for it.
CREATE TABLE relayed_documents (
  document_id         uuid PRIMARY KEY REFERENCES documents(id),
  peer_id             text NOT NULL,              -- no foreign key: a removed peer leaves its history
  origin_document_id  text NOT NULL,
  trace               jsonb NOT NULL,
  received_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX relayed_documents_peer ON relayed_documents (peer_id, received_at);

-- Timelines name a peer hub's relayed statuses as the hub (`peer:<id>` actors), not "another agency".
CREATE OR REPLACE FUNCTION lienthong_actor_shown_to(actor text, viewer text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN actor IS NULL OR actor = 'lienthong' THEN actor
      WHEN actor LIKE 'peer:%' THEN 'Liên Thông ' || substring(actor FROM 6) || ' (hub)'
      WHEN who.agency = viewer THEN actor
      WHEN who.agency IS NOT NULL THEN who.agency || ' (' || who.role || ')'
      WHEN actor LIKE 'operator:%' THEN 'Liên Thông (operator)'
      ELSE 'another agency'
    END
    FROM (SELECT COALESCE(
            (SELECT k.agency_code FROM api_keys k WHERE actor LIKE 'apikey:%' AND k.id::text = substring(actor FROM 8)),
            (SELECT u.agency_code FROM users u WHERE actor LIKE 'user:%' AND u.username = substring(actor FROM 6))) AS agency,
          CASE WHEN actor LIKE 'apikey:%' THEN 'system'
               ELSE (SELECT u.role FROM users u WHERE actor LIKE 'user:%' AND u.username = substring(actor FROM 6)) END AS role) who
  $$;
