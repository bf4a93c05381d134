-- Web sign-in (issue 9): users of an agency with one role, server-side sessions, and the record of
-- sign-in attempts that the lock-out reads. Security events themselves go to audit_log (0001).

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  agency_code   text NOT NULL REFERENCES agencies(code),
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
  full_name     text,
  role          text NOT NULL CHECK (role IN ('clerk', 'leader', 'monitor', 'admin')),
  -- argon2id in PHC string form: the parameters travel with the hash, so they can be raised later.
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);
CREATE INDEX users_by_agency ON users (agency_code);

-- Only a SHA-256 of the session id is stored: a copy of this table cannot be replayed as cookies.
CREATE TABLE sessions (
  id_hash      bytea PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users(id),
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_attempts (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  username text NOT NULL,
  ip       text NOT NULL,
  outcome  text NOT NULL CHECK (outcome IN ('success', 'failure', 'locked'))
);
CREATE INDEX login_attempts_by_username ON login_attempts (username, at DESC);
CREATE INDEX login_attempts_by_ip ON login_attempts (ip, at DESC);

-- An explicit lock row, so a lock lasts its full time even as old failures leave the window.
CREATE TABLE login_locks (
  scope        text NOT NULL CHECK (scope IN ('username', 'ip')),
  key          text NOT NULL,
  locked_until timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE INDEX audit_log_by_action ON audit_log (action, at DESC);
