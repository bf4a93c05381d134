-- Issue 20: approval before sending (Decree 30 art. 13–16). A chuyên viên drafts; the head of the
-- unit, then the leader approve or return with comments; the văn thư numbers and sends. The draft
-- keeps the send form's metadata and either an uploaded file (a blob) or the composed body text.
CREATE TABLE outgoing_drafts (
  id            uuid PRIMARY KEY,
  agency_code   text NOT NULL REFERENCES agencies(code),
  author_id     uuid NOT NULL REFERENCES users(id),
  department_id uuid REFERENCES departments(id),
  state         text NOT NULL CHECK (state IN ('head_review', 'leader_review', 'approved', 'returned', 'sent')),
  form          jsonb NOT NULL,
  file_sha256   text REFERENCES blobs(sha256),
  file_name     text,
  document_id   uuid REFERENCES documents(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outgoing_drafts_by_agency ON outgoing_drafts (agency_code, state);

CREATE TABLE outgoing_draft_steps (
  id         bigserial PRIMARY KEY,
  draft_id   uuid NOT NULL REFERENCES outgoing_drafts(id),
  at         timestamptz NOT NULL DEFAULT now(),
  actor_id   uuid REFERENCES users(id),
  actor_name text NOT NULL,
  actor_role text NOT NULL,
  action     text NOT NULL CHECK (action IN ('submit', 'approve', 'return', 'resubmit', 'send')),
  comment    text
);
CREATE INDEX outgoing_draft_steps_by_draft ON outgoing_draft_steps (draft_id, id);
