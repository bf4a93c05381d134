-- Security hardening (issue 17): one number per year whatever its leading zeros, API-key scopes and
-- expiry, client-certificate binding per agency, and an audit log an agency's administrator can read.

-- A document number is 1–7 digits and an optional letter: "77", "077" and "0077" are one number,
-- and "1" is the issued "01". The key strips leading zeros of the digits and lowercases the letter.
CREATE FUNCTION lienthong_number_key(n text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT regexp_replace(lower(n), '^0+(?=[0-9])', '') $$;

-- Same name as the constraint it replaces: the intake recognises a duplicate by it.
ALTER TABLE documents DROP CONSTRAINT documents_sender_code_year_number_key;
CREATE UNIQUE INDEX documents_sender_code_year_number_key ON documents (sender_code, year, lienthong_number_key(number));
ALTER TABLE paper_documents DROP CONSTRAINT paper_documents_sender_code_year_number_key;
CREATE UNIQUE INDEX paper_documents_sender_code_year_number_key ON paper_documents (sender_code, year, lienthong_number_key(number));

-- Scopes are explicit from now on: a key that had none could do everything an agency does.
UPDATE api_keys SET scopes = ARRAY['send', 'read', 'status'] || scopes
 WHERE NOT scopes && ARRAY['send', 'read', 'status'];
ALTER TABLE api_keys ALTER COLUMN scopes SET DEFAULT ARRAY['send', 'read', 'status'];
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_known_scopes CHECK (scopes <@ ARRAY['send', 'read', 'status', 'monitor']);

-- When set, the agency's keys are accepted only with this client certificate (as the TLS proxy
-- reports it): its fingerprint (hex, any separators removed, lowercase) and/or its subject DN.
ALTER TABLE agencies ADD COLUMN client_cert_fingerprint text CHECK (client_cert_fingerprint ~ '^[0-9a-f]{40,128}$');
ALTER TABLE agencies ADD COLUMN client_cert_subject text CHECK (length(client_cert_subject) BETWEEN 1 AND 1000);

-- Administrative actions name the agency they concern, so each agency's administrator reads its own.
ALTER TABLE audit_log ADD COLUMN agency_code text;
CREATE INDEX audit_log_by_agency ON audit_log (agency_code, id DESC) WHERE agency_code IS NOT NULL;

-- Sign-in throttling counters, reserved in ONE statement before a password is checked (so parallel
-- guesses cannot all be checked before the count catches up): per username (locks after 5) and per
-- client address (never locks; a progressive delay). login_locks (0005) is no longer used.
CREATE TABLE login_counters (
  scope             text NOT NULL CHECK (scope IN ('username', 'ip')),
  key               text NOT NULL,
  attempts          integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  locked_until      timestamptz,
  PRIMARY KEY (scope, key)
);

-- A timeline event's actor as shown to `viewer`: an agency sees its own people and keys by name;
-- another agency sees only which agency and in what role (never a key id or a username).
CREATE FUNCTION lienthong_actor_shown_to(actor text, viewer text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN actor IS NULL OR actor = 'lienthong' THEN actor
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
-- The agency of whoever acted (a web administrator's agency; NULL for the operator CLI).
ALTER TABLE audit_log ADD COLUMN actor_agency text;
CREATE INDEX audit_log_by_actor_agency ON audit_log (actor_agency, id DESC) WHERE actor_agency IS NOT NULL;
